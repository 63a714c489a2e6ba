// Monitor command `lspci`: every function with its IDs, class, BARs, interrupt, capabilities
// and bound driver (like Linux's `lspci -v`, shorter).
#include "pci_internal.h"
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace pci {

namespace {

// "16", "4K", "128K", "16M", "8G": sizes are powers of two.
void format_size(char* out, usize capacity, u64 size)
{
    if (size >= GiB && size % GiB == 0)
        kstd::snprintf(out, capacity, "%luG", size / GiB);
    else if (size >= MiB && size % MiB == 0)
        kstd::snprintf(out, capacity, "%luM", size / MiB);
    else if (size >= KiB && size % KiB == 0)
        kstd::snprintf(out, capacity, "%luK", size / KiB);
    else
        kstd::snprintf(out, capacity, "%lu", size);
}

void print_bars(PciDevice const& device)
{
    for (usize i = 0; i < MAX_BARS; ++i) {
        Bar const& b = device.bar(i);
        if (!b.is_present())
            continue;
        char size[16];
        format_size(size, sizeof(size), b.size);
        kprint("        BAR%lu %-5s %-4s 0x%08lx size %s%s\n", i, bar_kind_name(b.kind), b.prefetchable ? "pref" : "",
               b.address, size, b.address == 0 ? " (unassigned)" : "");
    }
}

void print_interrupt(PciDevice const& device)
{
    if (device.interrupt_pin() == 0)
        return;
    auto line = device.irq_line();
    if (line.has_value())
        kprint("        IRQ  pin %c line %u -> irq %u\n", 'A' + device.interrupt_pin() - 1, device.interrupt_line(), *line);
    else
        kprint("        IRQ  pin %c not routed (line %u)\n", 'A' + device.interrupt_pin() - 1, device.interrupt_line());
}

void print_details(PciDevice const& device)
{
    if (device.is_bridge())
        kprint("        bus  secondary %02x subordinate %02x\n", device.secondary_bus(), device.subordinate_bus());
    print_bars(device);
    print_interrupt(device);
    auto const& caps = device.capabilities();
    if (caps.count == 0 && !caps.malformed)
        return;
    kprint("        caps");
    for (auto const& c : caps.items())
        kprint(" %s@%02x", capability_name(c.id), c.offset);
    kprint("%s\n", caps.malformed ? " (malformed list)" : "");
}

}

void dump(bool verbose)
{
    ConfigAccess* ports = port_access();
    ConfigAccess* ecam = ecam_access();
    kprint("config access: %s (ports %s, ECAM %s)\n", device_count() ? config_access().name() : "none",
           ports ? "yes" : "no", ecam ? "yes" : "no");
    for (auto const& device : devices()) {
        Address a = device.address();
        char command[8];
        kstd::snprintf(command, sizeof(command), "%s%s%s", has(device.command(), Command::IoSpace) ? "I" : "-",
                       has(device.command(), Command::MemorySpace) ? "M" : "-", device.is_bus_master() ? "B" : "-");
        kprint("%02x:%02x.%x %04x:%04x %06x %-28s rev %02x %s %s\n", a.bus, a.device, a.function, device.vendor_id(),
               device.device_id(), device.class_code(), class_name(device.class_code()), device.revision(), command,
               device.driver() ? device.driver()->name : "-");
        if (verbose)
            print_details(device);
    }
}

}

MONITOR_COMMAND(lspci, "lspci", "PCI functions: IDs, class, command (I/O, Memory, Bus master), driver; -s: short")
{
    pci::dump(!(args.trim() == kstd::StringView("-s")));
}
