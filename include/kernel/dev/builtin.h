#pragma once
// The devices every Conduit kernel has, whatever hardware it finds: /dev/null, /dev/zero, the
// RAM disk /dev/ram0 and the loopback interface lo. They need no bus and no probing, so they are
// registered by one explicit call at boot rather than by a bus driver table.
#include <kstd/error.h>

namespace dev {

// Registers the built-in devices, calling each driver's init below in order. A driver
// that fails is reported on the console and skipped; the others still register.
// Calling it again does nothing, so tests may call it to be independent of boot order.
// Context: thread, after irq::init_workqueues() (the loopback delivers from the system workqueue).
void init_builtin_devices();

}

// The built-in drivers' entry points, called by init_builtin_devices.
namespace drivers::mem {
// /dev/null (char 1:3) and /dev/zero (char 1:5). Errors: as register_chardev.
[[nodiscard]] ErrorOr<void> init();
}

namespace drivers::ramdisk {
// /dev/ram0 (block 1:0): 4 MiB of kernel heap, or `ramdisk.size=` bytes from the command line
// (K and M suffixes accepted; a multiple of 512, at most 64 MiB). Errors: ENOMEM, or as
// register_blockdev.
[[nodiscard]] ErrorOr<void> init();
}

namespace drivers::loopback {
// The interface lo, brought up. Errors: as register_netdev, or netdev::up.
[[nodiscard]] ErrorOr<void> init();
}
