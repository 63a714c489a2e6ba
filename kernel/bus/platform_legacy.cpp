// The fixed legacy devices of a PC, registered on the platform bus when present (the table is
// in include/kernel/bus/platform.h), and the `lsplatform` listing.
//  * COM ports: 16550 scratch register (PC16550D datasheet, "Scratchpad Register"): a port
//    that keeps two different patterns is a UART. No UART: the bus floats and reads 0xFF.
//  * i8042: the FADT's IAPC_BOOT_ARCH bit 1 (ACPI 6.5, table 5.11); an ACPI 1.0 FADT (QEMU pc)
//    predates the field and a PC of that age has one. Probing the controller itself could eat
//    a keystroke, so it is not touched.
//  * VGA: only when no PCI function is VGA-compatible (class 03:00; vgacon binds to that one),
//    and the CRT controller's index register (0x3D4) keeps what is written to it (IBM VGA
//    Technical Reference, "CRT Controller Registers"): an ISA or built-in VGA.
//  * Legacy ATA channels: decoded by a PCI IDE function whose programming interface leaves
//    the channel in compatibility mode (PCI IDE Controller Specification 1.0, section 2.1);
//    with no PCI IDE function at all, by an ISA controller whose alternate status port does not
//    float (reading it does not clear a pending drive interrupt, unlike the status port).
#include <kernel/acpi/acpi.h>
#include <kernel/bus/pci.h>
#include "platform_internal.h"
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace platform {

namespace {

struct LegacyUart {
    u16 base;
    u8 irq;
};
constexpr LegacyUart UARTS[] = { { 0x3F8, 4 }, { 0x2F8, 3 }, { 0x3E8, 4 }, { 0x2E8, 3 } };
constexpr u16 UART_SCRATCH = 7;

struct LegacyAta {
    u16 command;
    u16 control;
    u8 irq;
    u8 native_bit;   // the prog-if bit that moves this channel to native mode
};
constexpr LegacyAta ATA_CHANNELS[] = {
    { 0x1F0, 0x3F6, 14, pci::IDE_PRIMARY_NATIVE },
    { 0x170, 0x376, 15, pci::IDE_SECONDARY_NATIVE },
};

// A temporary shared reservation lets the bus look at ports without owning them. EBUSY means
// somebody holds them exclusively, which only happens to a device that exists.
bool uart_present(u16 base)
{
    auto ports = io::reserve_ports(base, 8, "serial8250 probe", io::Sharing::Shared);
    if (ports.is_error())
        return ports.error().code() == EBUSY;
    auto window = ports.value().window();
    u8 saved = window.read8(UART_SCRATCH);
    window.write8(UART_SCRATCH, 0x5A);
    bool present = window.read8(UART_SCRATCH) == 0x5A;
    window.write8(UART_SCRATCH, 0xA5);
    present = present && window.read8(UART_SCRATCH) == 0xA5;
    window.write8(UART_SCRATCH, saved);
    return present;
}

constexpr u16 VGA_CRTC_INDEX = 0x3D4;
constexpr u32 PCI_CLASS_VGA = 0x030000;

bool legacy_vga_present()
{
    for (auto const& device : pci::devices()) {
        if ((device.class_code() & pci::CLASS_MASK_BASE_SUB) == PCI_CLASS_VGA)
            return false;   // the PCI function is the VGA; vgacon binds to it there
    }
    auto ports = io::reserve_ports(VGA_CRTC_INDEX, 2, "vga probe", io::Sharing::Shared);
    if (ports.is_error())
        return ports.error().code() == EBUSY;
    auto window = ports.value().window();
    u8 const saved = window.read8(0);
    window.write8(0, 0x0F);   // cursor location low: a harmless index to select
    bool const present = (window.read8(0) & 0x3F) == 0x0F;
    window.write8(0, saved);
    return present;
}

bool ata_channel_present(LegacyAta const& channel)
{
    bool pci_ide = false;
    for (auto const& device : pci::devices()) {
        if ((device.class_code() & pci::CLASS_MASK_BASE_SUB) != pci::CLASS_IDE)
            continue;
        pci_ide = true;
        if (!(device.prog_if() & channel.native_bit))
            return true;
    }
    if (pci_ide)
        return false;
    auto ports = io::reserve_ports(channel.control, 1, "ata probe", io::Sharing::Shared);
    if (ports.is_error())
        return ports.error().code() == EBUSY;
    return ports.value().window().read8(0) != 0xFF;
}

void add(char const* name, u32 instance, Span<Resource const> resources)
{
    if (auto result = register_device(name, instance, resources); result.is_error())
        log_warn("platform: cannot register %s.%u: %s\n", name, instance, result.error().name());
}

}

void register_legacy_devices()
{
    for (u32 i = 0; i < kstd::array_size(UARTS); ++i) {
        if (!uart_present(UARTS[i].base))
            continue;
        Resource const resources[] = {
            { "io", ResourceKind::Ports, UARTS[i].base, 8 },
            { "irq", ResourceKind::Irq, UARTS[i].irq, 1 },
        };
        add("serial8250", i, resources);
    }

    acpi::FadtInfo const* fadt = acpi::fadt();
    if (!fadt || fadt->has_8042()) {
        Resource const resources[] = {
            { "data", ResourceKind::Ports, 0x60, 1 },
            { "cmd", ResourceKind::Ports, 0x64, 1 },
            { "kbd-irq", ResourceKind::Irq, 1, 1 },
            { "aux-irq", ResourceKind::Irq, 12, 1 },
        };
        add("i8042", 0, resources);
    }

    if (legacy_vga_present()) {
        Resource const resources[] = { { "crtc", ResourceKind::Ports, VGA_CRTC_INDEX, 2 } };
        add("vga", 0, resources);
    }

    for (u32 i = 0; i < kstd::array_size(ATA_CHANNELS); ++i) {
        LegacyAta const& channel = ATA_CHANNELS[i];
        if (!ata_channel_present(channel))
            continue;
        Resource const resources[] = {
            { "cmd", ResourceKind::Ports, channel.command, 8 },
            { "ctl", ResourceKind::Ports, channel.control, 1 },
            { "irq", ResourceKind::Irq, channel.irq, 1 },
        };
        add("ata_legacy", i, resources);
    }
}

void dump()
{
    for (auto const& device : devices()) {
        kprint("%-14s", device.name());
        for (auto const& r : device.resources()) {
            if (r.kind == ResourceKind::Ports)
                kprint(" %s=0x%x-0x%x", r.name, r.start, r.start + r.length - 1);
            else
                kprint(" %s=%u", r.name, r.start);
        }
        kprint("  driver %s\n", device.driver() ? device.driver()->name : "-");
    }
}

}

MONITOR_COMMAND(lsplatform, "lsplatform", "legacy platform devices: resources and bound driver")
{
    platform::dump();
}
