#pragma once
// Shared between the files of the platform bus (kernel/bus/platform*.cpp, bus.cpp); not a
// public interface.
#include <kernel/bus/platform.h>

namespace platform {

// Registers the legacy devices that are present (see platform.h). Context: boot thread, after
// the PCI enumeration (it looks for PCI IDE functions in compatibility mode).
void register_legacy_devices();
// Probes the registered drivers on every unbound device. Context: thread.
void probe_all();
// The `lsplatform` listing. Context: thread.
void dump();

}
