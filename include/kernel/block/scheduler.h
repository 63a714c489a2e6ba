#pragma once
// I/O schedulers: which queued entry the disk serves next (docs/block-devices.md, "I/O schedulers").
//
// The request queue keeps every waiting entry on three lists of one SchedulerQueue: `sorted`
// (by sector) and one `fifo` per direction (by arrival). A scheduler is only its choice: a
// function that looks at the lists, the head position and the clock, and returns one entry.
// It does not remove it (the queue does, then moves the head). Because all schedulers share the
// lists, a disk can switch scheduler at any moment without moving a request.
//
//     fifo       the oldest entry first (first come, first served)
//     elevator   LOOK: sweep up from the head taking the nearest entry at or above it; when none
//                is left above, turn and sweep down taking the nearest below; and so on
//     deadline   an entry whose deadline has passed first (the earliest deadline first);
//                otherwise C-LOOK: the nearest entry at or above the head, wrapping round to the
//                lowest sector when none is above. Reads expire sooner than writes.
//
// Portable (host-tested against scripted request streams): no locks, no clock of its own.
// Context: any. Locking: the caller holds the request queue's lock.
#include <kernel/block/queue_entry.h>
#include <kstd/intrusive_list.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace block {

enum class Direction : u8 { Up, Down };   // the elevator's sweep: to higher or lower sectors

// Default expiry times of the deadline scheduler (Linux's mq-deadline uses 500 ms and 5 s).
inline constexpr u64 DEFAULT_READ_EXPIRE_NS = 500'000'000;
inline constexpr u64 DEFAULT_WRITE_EXPIRE_NS = 5'000'000'000;

class SchedulerQueue {
public:
    using SortedList = IntrusiveList<QueueEntry, &QueueEntry::sort_link>;
    using FifoList = IntrusiveList<QueueEntry, &QueueEntry::fifo_link>;

    SchedulerQueue() = default;
    SchedulerQueue(SchedulerQueue const&) = delete;
    SchedulerQueue& operator=(SchedulerQueue const&) = delete;

    // Sets a new entry's arrival to `now_ns` and its deadline to now + its direction's expiry.
    void stamp(QueueEntry& entry, u64 now_ns) const;
    // Links `entry` into `sorted` (after entries of the same sector) and into its direction's
    // fifo (after entries that arrived no later). Read and Write entries only.
    void add(QueueEntry& entry);
    void remove(QueueEntry& entry);
    bool contains(QueueEntry const& entry) const { return sorted.contains(entry); }
    bool is_empty() const { return sorted.is_empty(); }
    usize size() const { return sorted.size(); }

    // The queue moved the head to serve `entry` (after removing it): returns the seek distance,
    // |entry.sector - head|, and leaves the head just after the entry.
    u64 move_head_to(QueueEntry const& entry);

    // fifo[READS] and fifo[WRITES].
    static constexpr usize READS = 0;
    static constexpr usize WRITES = 1;

    // --- What a scheduler reads (and the elevator's direction, which it may change) ----------
    SortedList sorted;     // ascending sector; equal sectors in arrival order
    FifoList fifo[2];      // oldest first
    u64 head { 0 };        // where the disk head is: the sector just after the last entry served
    Direction direction { Direction::Up };
    u64 now_ns { 0 };      // the clock at this choice
    u64 read_expire_ns { DEFAULT_READ_EXPIRE_NS };
    u64 write_expire_ns { DEFAULT_WRITE_EXPIRE_NS };
};

// Returns the entry to serve next, still on the lists; nullptr only when the queue is empty.
using ChooseNext = QueueEntry* (*)(SchedulerQueue& queue);

struct IoScheduler {
    char const* name;          // "fifo", "elevator", "deadline"
    char const* description;   // one line for `iosched`
    ChooseNext next;
};

// The three choices (kernel/block/{fifo,elevator,deadline}.cpp).
QueueEntry* fifo_next(SchedulerQueue& queue);
QueueEntry* elevator_next(SchedulerQueue& queue);
QueueEntry* deadline_next(SchedulerQueue& queue);

extern IoScheduler const fifo_scheduler;
extern IoScheduler const elevator_scheduler;
extern IoScheduler const deadline_scheduler;

// The default for every disk unless the command line says otherwise.
IoScheduler const& default_scheduler();
// A scheduler by name; nullptr for an unknown name.
IoScheduler const* find_scheduler(StringView name);
// All of them, in the order `iosched` lists them.
usize scheduler_count();
IoScheduler const& scheduler_at(usize index);

}
