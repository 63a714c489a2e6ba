#pragma once
// Shared between the files of the PCI bus (kernel/bus/pci*.cpp); not a public interface.
#include <kernel/bus/pci.h>

namespace pci::detail {

// The mechanism enumeration uses: ECAM when the MCFG describes segment 0 and the command line
// does not say `pci=legacy`, else ports; nullptr when neither answers. Context: boot thread.
ConfigAccess* select_access();

}

namespace pci {

// Scans from bus 0 through every bridge. Idempotent. ENODEV: no mechanism. Context: boot thread.
[[nodiscard]] ErrorOr<void> enumerate();
// Probes the registered drivers on every unbound device. Context: thread.
void probe_all();
// The `lspci` listing (kernel/bus/pci_monitor.cpp). Context: thread.
void dump(bool verbose);

}
