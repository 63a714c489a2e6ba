#pragma once
// The RAM disk's state, shared by its two files: ramdisk.cpp (registration, the copy, the
// instant mode) and ramdisk_timing.cpp (the emulated mechanical disk and its thread).
#include <kernel/dev/blockdev.h>
#include <kernel/dev/builtin.h>
#include <kernel/sched/sync.h>
#include <kstd/intrusive_list.h>

namespace drivers::ramdisk {

using dev::BlockDevice;
using dev::BlockOp;
using dev::BlockRequest;

inline constexpr u32 SECTOR_SIZE = 512;

class RamDisk {
public:
    u8* storage { nullptr };
    u64 size { 0 };
    dev::BlockDevHandle handle;

    // Moves the command's data between its buffers and the storage. Context: any.
    void transfer(BlockRequest& command);

    // --- The emulated disk (ramdisk_timing.cpp) ----------------------------------------------
    bool timing_enabled() const;
    // Queues `command` for the disk thread, which completes it after its emulated time.
    ErrorOr<void> queue_for_later(BlockRequest& command);
    // Takes back a command the disk has not started (completing it with ETIMEDOUT); one being
    // served completes within its emulated time anyway.
    void abort(BlockRequest& command);
    ErrorOr<void> start_timing_thread();
    void apply_timing_option();   // `ramdisk.timing=disk`
    void set_timing(Timing const& timing);
    Timing timing() const;

private:
    static void disk_thread(void* self);
    void serve(BlockRequest& command);
    u64 service_ns(BlockRequest const& command);

    mutable sched::Spinlock m_lock { "ramdisk" };
    IntrusiveList<BlockRequest, &BlockRequest::queue_link> m_pending;   // Guarded by m_lock
    sched::WaitQueue m_wake;
    Timing m_timing {};       // Guarded by m_lock
    u64 m_head { 0 };         // the emulated head's sector; disk thread only
    u64 m_busy_until { 0 };   // when the emulated disk finishes its current work; disk thread only
};

}
