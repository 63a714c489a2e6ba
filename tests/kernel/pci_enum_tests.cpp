// PCI enumeration on the machines the labs use (kernel/bus/pci*.cpp). The rubric boots q35 and
// pc with `-device piix3-ide -device e1000` (pc has its own PIIX3 IDE at 00:01.1 as well), and
// some tests add a PCI-to-PCI bridge with a device behind it. Nothing here assumes a BDF: the
// functions are found by ID and class, as drivers find them.
//
// The tests call bus::init() themselves (it is idempotent), so they do not depend on where
// kernel_main brings the buses up.
#include <kernel/acpi/acpi.h>
#include <kernel/bus/bus.h>
#include <kernel/bus/pci.h>
#include <kernel/kernel.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace pci;

constexpr u16 INTEL = 0x8086;
constexpr u16 PIIX3_IDE = 0x7010;
constexpr u16 E1000 = 0x100e;

bool legacy_requested()
{
    auto mode = kernel_cmdline().get(kstd::StringView("pci"));
    return mode.has_value() && *mode == kstd::StringView("legacy");
}

}

KTEST(pci_enumerates_ide_and_e1000, CORE_SUITE)
{
    EXPECT_OK(bus::init());
    char const* expected_access = (legacy_requested() || !acpi::mcfg()) ? "ports" : "ecam";
    EXPECT_MSG(kstd::strcmp(config_access().name(), expected_access) == 0, "config access is %s, expected %s",
               config_access().name(), expected_access);
    EXPECT(device_count() >= 4);

    PciDevice* ide = find_id(INTEL, PIIX3_IDE);
    EXPECT_MSG(ide, "no PIIX3 IDE (8086:7010) found");
    EXPECT_EQ(ide->class_code(), 0x010180u);
    EXPECT_EQ(ide->base_class(), 0x01u);
    EXPECT_EQ(ide->subclass(), 0x01u);
    EXPECT_EQ(ide->prog_if(), 0x80u);
    EXPECT_EQ(ide->header_type(), HEADER_NORMAL);

    PciDevice* nic = find_id(INTEL, E1000);
    EXPECT_MSG(nic, "no e1000 (8086:100e) found");
    EXPECT_EQ(nic->class_code(), 0x020000u);
    EXPECT_EQ(nic->interrupt_pin(), 1u);   // INTA
    EXPECT_MSG(nic->irq_line().has_value(), "e1000 interrupt not routed (line %u)", nic->interrupt_line());

    // Every function is listed once, and the device name is its address.
    for (auto const& device : devices()) {
        EXPECT_EQ(find(device.address()), &device);
        EXPECT_NE(device.vendor_id(), INVALID_VENDOR);
    }
    EXPECT(kstd::StringView(nic->name()).starts_with("0000:"));
    return {};
}

KTEST(pci_bar_kinds_and_sizes, CORE_SUITE)
{
    EXPECT_OK(bus::init());
    PciDevice* ide = find_id(INTEL, PIIX3_IDE);
    EXPECT(ide);
    for (usize i = 0; i < 4; ++i)
        EXPECT_MSG(ide->bar(i).kind == BarKind::Absent, "IDE BAR%lu should be absent (legacy mode)", i);
    EXPECT_EQ(ide->bar(4).kind, BarKind::Io);
    EXPECT_EQ(ide->bar(4).size, 16u);
    EXPECT_NE(ide->bar(4).address, 0u);
    EXPECT_EQ(ide->bar(5).kind, BarKind::Absent);

    PciDevice* nic = find_id(INTEL, E1000);
    EXPECT(nic);
    Bar const& regs = nic->bar(0);
    EXPECT_EQ(regs.kind, BarKind::Memory32);
    EXPECT_EQ(regs.size, 128 * KiB);
    EXPECT(!regs.prefetchable);
    EXPECT_NE(regs.address, 0u);
    EXPECT_EQ(nic->bar(1).kind, BarKind::Io);
    EXPECT_EQ(nic->bar(1).size, 64u);
    for (usize i = 2; i < MAX_BARS; ++i)
        EXPECT_EQ(nic->bar(i).kind, BarKind::Absent);

    // Sizing put every BAR and the command register back as the firmware left them.
    EXPECT_EQ(u64(nic->config_read32(reg::bar0) & BAR_MEM_MASK), regs.address);
    EXPECT_EQ(u64(nic->config_read32(reg::bar0 + 4) & BAR_IO_MASK), nic->bar(1).address);
    EXPECT(has(nic->command(), Command::IoSpace | Command::MemorySpace));
    return {};
}

// Both mechanisms read the same bytes for every function; a write through one is seen through
// the other. Without an MCFG (pc) there is nothing to compare.
KTEST(pci_ecam_matches_ports, CORE_SUITE)
{
    EXPECT_OK(bus::init());
    ConfigAccess* ports = port_access();
    ConfigAccess* ecam = ecam_access();
    EXPECT_MSG(ports, "configuration mechanism #1 does not answer");
    if (!acpi::mcfg()) {
        EXPECT(!ecam);
        ktest::note("no MCFG on this machine: port access only");
        return {};
    }
    EXPECT_MSG(ecam, "MCFG present but no ECAM access");
    EXPECT_EQ(ecam->config_size(), EXTENDED_CONFIG_SPACE_SIZE);
    usize compared = 0;
    for (auto const& device : devices()) {
        Address a = device.address();
        EXPECT(ecam->prepare_bus(a.segment, a.bus));
        for (u16 offset = 0; offset < CONFIG_SPACE_SIZE; offset += 4) {
            // The status register's interrupt bit may change between two reads.
            u32 volatile_bits = offset == reg::command ? u32(Status::InterruptStatus) << 16 : 0;
            u32 by_ports = ports->read32(a, offset) & ~volatile_bits;
            u32 by_ecam = ecam->read32(a, offset) & ~volatile_bits;
            EXPECT_MSG(by_ports == by_ecam, "%s offset %#x: ports %#x, ECAM %#x", device.name(), offset, by_ports, by_ecam);
        }
        EXPECT_EQ(ports->read16(a, reg::device_id), ecam->read16(a, reg::device_id));
        EXPECT_EQ(ports->read8(a, reg::header_type), ecam->read8(a, reg::header_type));
        ++compared;
    }
    // An empty slot reads all ones through both.
    for (u8 slot = 0; slot < MAX_DEVICES; ++slot) {
        if (!find(Address { 0, 0, slot, 0 })) {
            EXPECT_EQ(ports->read32(Address { 0, 0, slot, 0 }, 0), 0xFFFFFFFFu);
            EXPECT_EQ(ecam->read32(Address { 0, 0, slot, 0 }, 0), 0xFFFFFFFFu);
            break;
        }
    }
    // Coherent writes: the interrupt line register is read/write scratch for the OS.
    PciDevice* nic = find_id(INTEL, E1000);
    EXPECT(nic);
    Address a = nic->address();
    u8 line = ports->read8(a, reg::interrupt_line);
    ecam->write8(a, reg::interrupt_line, 0x5A);
    EXPECT_EQ(ports->read8(a, reg::interrupt_line), 0x5Au);
    ports->write8(a, reg::interrupt_line, line);
    EXPECT_EQ(ecam->read8(a, reg::interrupt_line), line);
    ktest::note("compared %lu functions", compared);
    return {};
}

// The ISA/LPC bridge is function 0 of a multi-function device on both machines (q35:
// 00:1f.0 LPC, .2 AHCI, .3 SMBus; pc: 00:01.0 ISA, .1 IDE, .3 ACPI), and every function above
// 0 sits in a slot whose function 0 says multi-function.
KTEST(pci_multifunction_devices, CORE_SUITE)
{
    EXPECT_OK(bus::init());
    PciDevice* isa = nullptr;
    for (auto& device : devices()) {
        if ((device.class_code() & CLASS_MASK_BASE_SUB) == CLASS_ISA_BRIDGE)
            isa = &device;
        Address a = device.address();
        if (a.function == 0)
            continue;
        PciDevice* zero = find(Address { a.segment, a.bus, a.device, 0 });
        EXPECT_MSG(zero, "%s has no function 0", device.name());
        EXPECT_MSG(zero->is_multifunction(), "%s found, but function 0 is not multi-function", device.name());
    }
    EXPECT_MSG(isa, "no ISA/LPC bridge");
    EXPECT(isa->is_multifunction());
    EXPECT_EQ(isa->address().function, 0u);
    usize siblings = 0;
    for (auto const& device : devices()) {
        Address a = device.address();
        if (a.bus == isa->address().bus && a.device == isa->address().device && a.function != 0)
            ++siblings;
    }
    EXPECT_MSG(siblings >= 2, "only %lu more functions next to the ISA bridge", siblings);
    return {};
}

// With `-device pci-bridge,id=br0,... -device e1000,bus=br0,addr=1` the e1000 sits on the
// bridge's secondary bus, found only by following the bridge.
KTEST(pci_bridge_secondary_bus, CORE_SUITE)
{
    EXPECT_OK(bus::init());
    PciDevice* bridge = nullptr;
    for (auto& device : devices()) {
        if (device.is_bridge())
            bridge = &device;
    }
    EXPECT_MSG(bridge, "no PCI-to-PCI bridge enumerated");
    EXPECT_EQ(bridge->class_code() & CLASS_MASK_BASE_SUB, CLASS_PCI_BRIDGE);
    EXPECT(bridge->secondary_bus() > bridge->address().bus);
    EXPECT(bridge->subordinate_bus() >= bridge->secondary_bus());
    // QEMU's pci-bridge has one BAR: 64-bit, 256 bytes (its SHPC registers), filling both
    // slots a type 1 header has.
    EXPECT_EQ(bridge->bar(0).kind, BarKind::Memory64);
    EXPECT_EQ(bridge->bar(0).size, 256u);
    EXPECT_EQ(bridge->bar(1).kind, BarKind::Memory64High);
    EXPECT(bridge->bar(2).kind == BarKind::Absent);   // type 1: two BAR slots only

    PciDevice* behind = nullptr;
    for (auto& device : devices()) {
        if (device.address().bus == bridge->secondary_bus())
            behind = &device;
    }
    EXPECT_MSG(behind, "nothing found on bus %02x", bridge->secondary_bus());
    EXPECT_EQ(behind->parent_bridge(), bridge);
    EXPECT_EQ(behind->vendor_id(), INTEL);
    EXPECT_EQ(behind->device_id(), E1000);
    EXPECT_EQ(behind->bar(0).size, 128 * KiB);
    EXPECT_EQ(behind->bar(1).size, 64u);
    return {};
}

// Every list is well formed and agrees with the status bit. The rubric adds an e1000e (82574L:
// PM, MSI, PCIe, MSI-X) and a pci-bridge (MSI, slot ID, SHPC); on q35 the AHCI function
// (8086:2922) lists MSI and SATA.
KTEST(pci_capabilities_walk, CORE_SUITE)
{
    EXPECT_OK(bus::init());
    usize with_caps = 0;
    for (auto const& device : devices()) {
        auto const& caps = device.capabilities();
        EXPECT_MSG(!caps.malformed, "%s: malformed capability list", device.name());
        bool status_bit = has(Status(device.config_read16(reg::status)), Status::CapabilitiesList);
        EXPECT_MSG(status_bit == (caps.count > 0), "%s: status bit %d but %u capabilities", device.name(),
                   int(status_bit), caps.count);
        for (auto const& c : caps.items()) {
            EXPECT(c.offset >= 0x40);
            EXPECT_EQ(device.config_read8(c.offset), c.id);
        }
        with_caps += caps.count > 0;
    }
    PciDevice* e1000e = find_id(INTEL, 0x10d3);
    EXPECT_MSG(e1000e, "no e1000e (8086:10d3)");
    EXPECT_NE(e1000e->find_capability(cap::power_management), 0u);
    EXPECT_NE(e1000e->find_capability(cap::msi), 0u);
    EXPECT_NE(e1000e->find_capability(cap::pci_express), 0u);
    EXPECT_NE(e1000e->find_capability(cap::msix), 0u);
    PciDevice* bridge = find_id(0x1b36, 0x0001);
    EXPECT_MSG(bridge, "no pci-bridge (1b36:0001)");
    EXPECT_NE(bridge->find_capability(cap::msi), 0u);
    EXPECT_NE(bridge->find_capability(cap::slot_id), 0u);
    EXPECT_NE(bridge->find_capability(cap::hotplug_controller), 0u);
    if (PciDevice* ahci = find_id(INTEL, 0x2922)) {
        EXPECT_NE(ahci->find_capability(cap::msi), 0u);
        EXPECT_NE(ahci->find_capability(cap::sata), 0u);
    }
    ktest::note("%lu functions have capabilities", with_caps);
    return {};
}
