// Giving a device to the uio driver (include/kernel/uio/uio.h): its resources become the regions
// of /dev/uioN. For a PCI function: each I/O BAR a port region, each memory BAR a memory region
// whose memory type the I/O manager's rule picks -- write-combining for prefetchable memory
// (a frame buffer), uncached for registers -- and its INTx line. For a legacy platform device:
// its port ranges and its IRQ.
#include "uio_device.h"
#include <kernel/bus/pci.h>
#include <kernel/bus/platform.h>
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/uio/uio.h>
#include <uapi/memory.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace uio {

namespace {

void add_region(uapi::UioInfo& info, uapi::UioRegionKind kind, u64 start, u64 length, uapi::CacheType type)
{
    if (info.region_count == uapi::UIO_MAX_REGIONS)
        return;
    info.regions[info.region_count++] = { kind, u32(type), start, length };
}

// --- PCI ------------------------------------------------------------------------------------

ErrorOr<void> pci_probe(pci::PciDevice& device, pci::PciId const&)
{
    auto state = TRY(kstd::make<UioDevice>());
    pci::Address a = device.address();
    kstd::snprintf(state->info.device, sizeof(state->info.device), "%02x:%02x.%x", a.bus, a.device, a.function);
    for (pci::Bar const& bar : device.bars()) {
        if (!bar.is_present() || bar.address == 0)
            continue;
        if (bar.is_io())
            add_region(state->info, uapi::UioRegionKind::Ports, bar.address, bar.size, uapi::CacheType::Uncached);
        else
            add_region(state->info, uapi::UioRegionKind::Memory, bar.address, bar.size,
                       bar.prefetchable ? uapi::CacheType::WriteCombining : uapi::CacheType::Uncached);
    }
    device.enable_io_space();
    device.enable_memory_space();
    state->line = device.irq_line();
    TRY(state->publish());
    device.adopt_driver_state(kstd::move(state));
    return {};
}

constexpr pci::PciId ANY_FUNCTION[] = { { .vendor = pci::ANY_ID, .device = pci::ANY_ID } };
// Not registered with KERNEL_PCI_DRIVER: it takes only the devices it is bound to by name.
constexpr pci::PciDriver uio_pci_driver { .name = "uio", .ids = ANY_FUNCTION, .probe = pci_probe, .remove = nullptr };

ErrorOr<void> bind_pci(StringView text)
{
    // "BB:DD.F"
    if (text.length() != 7 || text[2] != ':' || text[5] != '.')
        return Error::from_errno(EINVAL);
    u8 bus = u8(TRY(kstd::parse_u64(text.substring(0, 2), 16)));
    u8 slot = u8(TRY(kstd::parse_u64(text.substring(3, 2), 16)));
    u8 function = u8(TRY(kstd::parse_u64(text.substring(6, 1), 16)));
    pci::PciDevice* device = pci::find(pci::Address { 0, bus, slot, function });
    if (!device)
        return Error::from_errno(ENOENT);
    if (device->driver())
        TRY(pci::unbind(*device));
    return pci::bind(*device, uio_pci_driver);
}

// --- platform -------------------------------------------------------------------------------

ErrorOr<void> platform_probe(platform::PlatformDevice& device)
{
    auto state = TRY(kstd::make<UioDevice>());
    kstd::snprintf(state->info.device, sizeof(state->info.device), "%s", device.name());
    for (platform::Resource const& resource : device.resources()) {
        if (resource.kind == platform::ResourceKind::Ports)
            add_region(state->info, uapi::UioRegionKind::Ports, resource.start, resource.length, uapi::CacheType::Uncached);
        else if (!state->line.has_value())
            state->line = device.irq_line(resource.name);
    }
    TRY(state->publish());
    device.adopt_driver_state(kstd::move(state));
    return {};
}

// The platform bus matches by device name, so there is one descriptor per legacy kind.
constexpr platform::PlatformDriver uio_platform_drivers[] = {
    { .name = "uio", .match = "serial8250", .probe = platform_probe, .remove = nullptr },
    { .name = "uio", .match = "i8042", .probe = platform_probe, .remove = nullptr },
    { .name = "uio", .match = "ata_legacy", .probe = platform_probe, .remove = nullptr },
};

ErrorOr<void> bind_platform(StringView text)
{
    auto dot = text.find('.');
    if (!dot.has_value())
        return Error::from_errno(EINVAL);
    char kind[24];
    kstd::copy_string(kind, sizeof(kind), text.substring(0, *dot));
    u32 instance = u32(TRY(kstd::parse_u64(text.substring(*dot + 1))));
    platform::PlatformDevice* device = platform::find(kind, instance);
    if (!device)
        return Error::from_errno(ENOENT);
    for (auto const& driver : uio_platform_drivers) {
        if (!platform::matches(driver, *device))
            continue;
        if (device->driver())
            TRY(platform::unbind(*device));
        return platform::bind(*device, driver);
    }
    return Error::from_errno(ENODEV);
}

}

ErrorOr<void> bind(StringView device)
{
    device = device.trim();
    if (device.starts_with(StringView("pci:")))
        return bind_pci(device.substring(4));
    if (device.length() == 7 && device[2] == ':')
        return bind_pci(device);
    return bind_platform(device);
}

void init()
{
    auto word = kernel_cmdline().get(StringView("uio"));
    if (!word.has_value())
        return;
    StringView rest = *word;
    while (!rest.is_empty()) {
        auto comma = rest.find(',');
        StringView name = comma.has_value() ? rest.substring(0, *comma) : rest;
        rest = comma.has_value() ? rest.substring(*comma + 1) : StringView();
        if (auto bound = bind(name); bound.is_error())
            log_warn("uio=%.*s: %s (%s)\n", int(name.length()), name.characters(), bound.error().name(),
                     kstd::errno_text(bound.error().code()));
    }
}

}

MONITOR_COMMAND(uio, "uio", "hand a device to user-mode drivers as /dev/uioN: uio serial8250.1 | uio pci:00:02.0")
{
    if (args.trim().is_empty()) {
        kprint("usage: uio DEVICE   (a platform device such as serial8250.1, or pci:BB:DD.F; see lsplatform, lspci)\n");
        return;
    }
    if (auto bound = uio::bind(args); bound.is_error())
        kprint("uio %.*s: %s (%s)\n", int(args.length()), args.characters(), bound.error().name(),
               kstd::errno_text(bound.error().code()));
}
