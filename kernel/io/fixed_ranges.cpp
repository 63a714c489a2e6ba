// The ranges the kernel drives itself before (or instead of) any driver: registered at boot so
// that `ioports`/`iomem` tell the whole truth and a driver that asks for them gets EBUSY
// instead of silently fighting the kernel for a device.
//
// Ports are those arch/x86_64 touches today (grep in8/out8 there). Not registered, on purpose:
// 0x64 (8042 reset pulse in arch::reboot: the keyboard driver will own 0x60/0x64) and the ACPI
// PM1 control ports 0x604 (q35) and 0xB004 (pc) written once at power-off: the PM block belongs
// to a future ACPI driver. Port 0xCF9 (reset control, written by arch::reboot) lies inside PCI
// conf1's 0xCF8-0xCFF, as on real chipsets.
#include "internal.h"
#include <kernel/acpi/acpi.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace io {

using detail::Resource;

namespace {

struct FixedPorts {
    u16 base;
    u16 length;
    char const* owner;
    Sharing sharing;
};

constexpr FixedPorts FIXED_PORTS[] = {
    { 0x0020, 2, "8259 PIC master", Sharing::Exclusive },
    { 0x0040, 4, "8254 PIT", Sharing::Exclusive },
    // Port B: gate and output of PIT channel 2, which the TSC calibration uses as a ruler.
    { 0x0061, 1, "PIT channel 2 gate (port B)", Sharing::Exclusive },
    // Writes to the POST port are a classic ~1 us delay (the PIC's io_wait); anyone may use it.
    { 0x0080, 1, "POST port (I/O delay)", Sharing::Shared },
    { 0x00A0, 2, "8259 PIC slave", Sharing::Exclusive },
    { 0x00E9, 1, "debugcon", Sharing::Exclusive },
    { 0x00F4, 4, "isa-debug-exit", Sharing::Exclusive },
    // Shared: the early console polls COM1 until the UART driver takes over. That driver either
    // reserves COM1 as shared too, or calls release_fixed_ports(0x3F8, "early console") after
    // unregistering the early console and then reserves it exclusively.
    { 0x03F8, 8, "early console", Sharing::Shared },
    { 0x04D0, 2, "ELCR", Sharing::Exclusive },
    { 0x0510, 2, "QEMU fw_cfg", Sharing::Exclusive },
    { 0x0CF8, 8, "PCI conf1", Sharing::Exclusive },
};

constexpr usize MAX_FIXED_MMIO = 1 + acpi::MadtInfo::MAX_IOAPICS;
constexpr u64 APIC_PAGE = 0x1000;   // the irqchip code maps whole pages

constinit Resource g_port_nodes[kstd::array_size(FIXED_PORTS)] {};
constinit Resource g_mmio_nodes[MAX_FIXED_MMIO] {};
constinit usize g_mmio_count = 0;
constinit bool g_filled = false;

void fill(Resource& node, u64 start, u64 length, char const* owner, Sharing sharing, u8 tag)
{
    node.start = start;
    node.length = length;
    node.shared = sharing == Sharing::Shared;
    node.tag = tag;
    node.fixed = true;
    detail::set_owner(node, owner);
}

// The LAPIC and IOAPIC pages from the MADT. They are reserved even when irqchip=pic leaves
// them unmapped: the hardware is there either way, and nobody else may claim it.
void fill_apic_pages()
{
    acpi::MadtInfo const* madt = acpi::madt();
    if (!madt) {
        log_info("io: no MADT: LAPIC/IOAPIC pages not registered\n");
        return;
    }
    constexpr u8 uc = u8(CachePolicy::Uncached);
    if (madt->lapic_address)
        fill(g_mmio_nodes[g_mmio_count++], madt->lapic_address, APIC_PAGE, "Local APIC", Sharing::Exclusive, uc);
    for (usize i = 0; i < madt->ioapic_count && g_mmio_count < MAX_FIXED_MMIO; ++i) {
        char name[Resource::OWNER_CAPACITY];   // copied into the node
        kstd::snprintf(name, sizeof(name), "IOAPIC %u", madt->ioapics[i].id);
        fill(g_mmio_nodes[g_mmio_count++], madt->ioapics[i].address, APIC_PAGE, name, Sharing::Exclusive, uc);
    }
}

void link(detail::Space space, Resource& node)
{
    if (node.node.is_linked())
        return;
    if (auto result = detail::insert_fixed(space, node); result.is_error())
        log_warn("io: boot reservation of %#lx-%#lx for '%s' failed: %s\n", node.start, node.end() - 1, node.owner,
                 result.error().name());
}

}

void reserve_fixed_ranges()
{
    if (!g_filled) {
        for (usize i = 0; i < kstd::array_size(FIXED_PORTS); ++i) {
            auto const& fixed = FIXED_PORTS[i];
            fill(g_port_nodes[i], fixed.base, fixed.length, fixed.owner, fixed.sharing, 0);
        }
        fill_apic_pages();
        g_filled = true;
    }
    for (auto& node : g_port_nodes)
        link(detail::Space::Ports, node);
    for (usize i = 0; i < g_mmio_count; ++i)
        link(detail::Space::Mmio, g_mmio_nodes[i]);
}

ErrorOr<void> release_fixed_ports(u16 base, char const* owner) { return detail::remove_fixed_ports(base, owner); }

}
