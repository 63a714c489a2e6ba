#pragma once
// What users of a disk can ask of its request queue (docs/block-devices.md): which I/O scheduler
// it uses, its counters, and plugging. The queue itself is include/kernel/block/request_queue.h.
//
// Schedulers are chosen per disk at boot (`iosched=NAME` for every disk, `iosched.DISK=NAME`
// for one, e.g. `iosched.ram0=elevator`) and at run time (set_scheduler, or the monitor's
// `iosched DISK NAME`). The names are fifo, elevator and deadline (the default).
#include <kernel/block/request_queue.h>
#include <kernel/dev/blockdev.h>
#include <kstd/error.h>
#include <kstd/string.h>

namespace block {

// Switches `device` to the scheduler `name`; requests already queued stay queued (the
// schedulers share one set of lists), the elevator starts a new upward sweep. Errors: EINVAL
// for an unknown name. Context: any. Locking: none held.
[[nodiscard]] ErrorOr<void> set_scheduler(dev::BlockDevice& device, StringView name);
char const* scheduler_name(dev::BlockDevice const& device);

// The deadline scheduler's expiry times for `device`. Context: any.
void set_expiry(dev::BlockDevice& device, u64 read_expire_ns, u64 write_expire_ns);

// While a disk is plugged its dispatcher sends nothing: requests collect (and merge) in the
// queue, and unplugging lets the scheduler choose among all of them. Every plug() needs its
// unplug(); they nest. Context: any. Locking: none held.
void plug(dev::BlockDevice& device);
void unplug(dev::BlockDevice& device);

// The counters of `device`'s queue, and resetting them (all but depth, in_driver and plugs).
// Context: any.
QueueStats queue_stats(dev::BlockDevice const& device);
void reset_queue_stats(dev::BlockDevice& device);
// The last commands dispatched to the driver, oldest first (at most RequestQueue::LOG_SIZE).
usize recent_commands(dev::BlockDevice const& device, CommandRecord* out, usize capacity);

// --- For the queue itself ---------------------------------------------------------------------

// The scheduler the command line asks for `device_name` (iosched.NAME=, then iosched=), or the
// default; an unknown name is warned about once and ignored. Context: thread.
IoScheduler const& scheduler_for(char const* device_name);
// find_scheduler(), through the self-test hook (include/kernel/selftest.h): `selftest.wrong=WORD`
// may put a purpose-made wrong scheduler in the place of the one it imitates (the grader's
// self-tests of lab 8, kernel/block/*.instructor.cpp). Context: thread.
IoScheduler const* find_scheduler_for_selection(StringView name);

}
