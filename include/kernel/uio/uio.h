#pragma once
// User-mode drivers' kernel side (Linux's UIO; include/uapi/uio.h is what programs see): the
// `uio` driver takes a device instead of its own driver and registers /dev/uioN, through which
// a process gets the device's resources -- its ports (ioperm), its memory (mmap, with the
// memory type the I/O manager chose) and its interrupt (read blocks until the line fires, write
// unmasks it again).
//
// Which devices: the boot word `uio=DEV[,DEV...]`, where DEV is a platform device
// ("serial8250.1": COM2) or a PCI function ("pci:00:02.0", or just "00:02.0"); or bind() at run
// time (the monitor's `uio` command, tests). The device's current driver is unbound first.
#include <kstd/error.h>
#include <kstd/string.h>

namespace uio {

// Binds every device the `uio=` word names. Call after the buses probed their drivers.
// Context: boot thread.
void init();

// Unbinds `device`'s driver and binds the uio driver; the new node is /dev/uioN. Errors:
// ENOENT (no such device), EINVAL (a name that is neither form), ENODEV (the kind of platform
// device the uio driver cannot take), or the bind's error. Context: thread.
[[nodiscard]] ErrorOr<void> bind(StringView device);

}
