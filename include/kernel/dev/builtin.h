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

// The RAM disk can emulate a mechanical disk's costs, so that requests queue behind a busy disk
// and seeks cost time (the block layer's tests, lab 8): a seek costs seek_base_ns plus
// seek_full_ns times the distance as a fraction of the disk, then each sector per_sector_ns.
// All zero (the default): instant, every command completes inside submit.
struct Timing {
    u64 seek_base_ns { 0 };
    u64 seek_full_ns { 0 };
    u64 per_sector_ns { 0 };
};
// What `ramdisk.timing=disk` selects: about a small laptop disk of old.
inline constexpr Timing DISK_TIMING { .seek_base_ns = 1'000'000, .seek_full_ns = 8'000'000, .per_sector_ns = 2'000 };
// Context: any. Changing the timing while commands wait affects those not yet started.
void set_timing(Timing const& timing);
Timing timing();
}

namespace drivers::loopback {
// The interface lo, brought up. Errors: as register_netdev, or netdev::up.
[[nodiscard]] ErrorOr<void> init();
}
