#pragma once
// A disk's request queue and its dispatcher thread (docs/block-devices.md). Every block device
// gets one when it registers; blockdev::submit() puts checked requests in it and
// blockdev::complete() of a command comes back to it. Users of disks call the functions in
// <kernel/block/queue.h> instead of this class.
//
//   submit ──> merge with an adjacent queued entry, or queue a new entry (SchedulerQueue)
//              (behind a pending flush: wait in the held list until the flush is done)
//   dispatcher thread ──> the scheduler chooses an entry ──> a command in a free slot ──> driver
//   driver: blockdev::complete(command) ──> complete every request the command carried
//
// Why a thread per disk (the lecture's "kernel thread to manage each disk drive") rather than
// dispatching from the completion path: the driver's submit() then always runs in thread
// context, so a polled PIO driver may spin with interrupts on and may sleep, and the choice of
// the next request is never made in a top half; one thread per disk is also the one feeder an
// ATA channel that takes one command at a time needs. The cost is one context switch per
// command, which the latency figures include.
#include <kernel/block/latency.h>
#include <kernel/block/merge.h>
#include <kernel/block/scheduler.h>
#include <kernel/dev/blockdev.h>
#include <kernel/sched/sync.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>

namespace sched {
class Thread;
}

namespace block {

// One command the driver holds (queue_depth of them per disk).
struct DispatchSlot {
    dev::BlockRequest command;                // what the driver is handed
    dev::BlockRequest* first { nullptr };     // the requests it carries (merged_next chain)
    dev::BlockSegment* segments { nullptr };  // room for limits.max_segments buffers
    u64 dispatched_ns { 0 };
    bool busy { false };
    bool aborting { false };                  // not reused until abort() has returned
};

// One line of the dispatch log: what went to the driver, in order.
struct CommandRecord {
    dev::BlockOp op;
    u64 sector;
    u32 count;
    u32 requests;   // how many requests it carried (more than 1: merged)
    u32 segments;
    u64 dispatched_ns;
};

struct LatencySummary {
    u64 count, mean_ns, p99_ns, max_ns;
};

struct QueueStats {
    char const* scheduler;
    u64 submitted;          // requests queued (reads, writes and flushes)
    u64 merges;             // times a request or entry joined another instead of staying apart
    u64 commands;           // commands handed to the driver
    u64 sectors_read, sectors_written;   // moved by those commands
    u64 seek_distance;      // sum of |first sector - head| over the commands: the head's travel
    u32 depth;              // requests queued or in the driver, now
    u32 max_depth;          // the most at once since the counters were reset
    u32 in_driver;          // commands the driver holds now
    u32 plugs;              // plug() calls not yet undone
    LatencySummary read, write, all;   // submit to completion, per request
};

class RequestQueue {
public:
    static constexpr int DISPATCHER_PRIORITY = sched::PRIORITY_DEFAULT + 8;
    static constexpr usize LOG_SIZE = 64;

    // Creates the queue of `device` with the scheduler the command line names for it, and
    // starts its dispatcher thread. Errors: ENOMEM. Context: thread.
    static ErrorOr<RequestQueue*> create(dev::BlockDevice& device);
    ~RequestQueue();
    // Stops the dispatcher thread. Every request must have completed (unregistering drains the
    // device first). Context: thread.
    void shutdown();

    // A checked, counted request (blockdev::submit). Context: any. Locking: none held.
    void queue(dev::BlockRequest& request);
    // The driver completed a command (blockdev::complete). Context: any.
    void command_done(dev::BlockRequest& command, int status);
    // A synchronous caller gave up on `request`: take it out of the queue and complete it with
    // ETIMEDOUT, or, when it is in the driver, ask the driver to abort its command (every request
    // the command carries then fails). Context: thread.
    void abort(dev::BlockRequest& request);

    [[nodiscard]] ErrorOr<void> set_scheduler(StringView name);
    IoScheduler const& scheduler() const { return *m_scheduler; }
    void plug();
    void unplug();
    void set_expiry(u64 read_expire_ns, u64 write_expire_ns);
    QueueLimits const& limits() const { return m_limits; }
    QueueStats stats() const;
    void reset_stats();
    // Copies the last commands dispatched (oldest first) into `out`; returns how many.
    usize recent_commands(CommandRecord* out, usize capacity) const;

private:
    explicit RequestQueue(dev::BlockDevice& device);
    static void dispatcher_entry(void* self);
    void dispatch_loop();
    bool ready_to_dispatch() const;
    DispatchSlot* free_slot();
    DispatchSlot* prepare_command();
    QueueEntry& choose_entry();
    void load_slot(DispatchSlot& slot, QueueEntry& entry, u64 now);
    void insert_entry(QueueEntry& entry);
    bool try_back_merge(dev::BlockRequest& request);
    bool try_front_merge(dev::BlockRequest& request);
    void release_held();
    bool unqueue(dev::BlockRequest& request);
    void account_completion(DispatchSlot& slot, u64 now, dev::BlockRequest* carried);
    void log_command(DispatchSlot const& slot, QueueEntry const& entry);

    dev::BlockDevice& m_device;
    QueueLimits m_limits;
    DispatchSlot* m_slots { nullptr };   // m_limits.depth of them
    sched::Thread* m_thread { nullptr };
    sched::WaitQueue m_wake;             // the dispatcher sleeps here
    bool volatile m_stopping { false };

    mutable sched::Spinlock m_lock { "request-queue" };
    // Everything below is guarded by m_lock.
    IoScheduler const* m_scheduler;
    SchedulerQueue m_sched;
    IntrusiveList<QueueEntry, &QueueEntry::held_link> m_held;   // behind a flush, in order
    bool m_flush_in_driver { false };
    u32 m_plugs { 0 };
    u32 m_in_driver { 0 };
    u32 m_depth { 0 };
    u32 m_max_depth { 0 };
    u64 m_submitted { 0 }, m_merges { 0 }, m_commands { 0 };
    u64 m_sectors_read { 0 }, m_sectors_written { 0 }, m_seek_distance { 0 };
    LatencyHistogram m_read_latency, m_write_latency;
    CommandRecord m_log[LOG_SIZE] {};
    u64 m_logged { 0 };
    bool m_warned_bad_choice { false };
};

}
