// bus::init and bus::probe_drivers (include/kernel/bus/bus.h): PCI first, so the platform bus
// can see which legacy ATA channels a PCI IDE function decodes.
#include "pci_internal.h"
#include "platform_internal.h"
#include <kernel/bus/bus.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace bus {

namespace {
constinit bool g_initialized = false;
constinit bool g_pci_ok = false;
}

ErrorOr<void> init()
{
    if (!g_initialized) {
        g_initialized = true;
        auto pci = pci::enumerate();
        g_pci_ok = !pci.is_error();
        if (!g_pci_ok)
            log_warn("pci: no configuration mechanism answers (%s)\n", pci.error().name());
        platform::register_legacy_devices();
    }
    if (!g_pci_ok)
        return Error::from_errno(ENODEV);
    return {};
}

bool initialized() { return g_initialized; }

void probe_drivers()
{
    pci::probe_all();
    platform::probe_all();
}

}
