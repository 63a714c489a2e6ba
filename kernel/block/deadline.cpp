// The deadline scheduler (include/kernel/block/scheduler.h): by sector for short seeks, but with
// a promise that no request waits much longer than its expiry time.
//
// Every entry gets a deadline when it arrives: now + read_expire (500 ms) for reads, now +
// write_expire (5 s) for writes. Reads get the shorter one because a thread is usually waiting
// for a read, while most writes are write-back the caller has long forgotten. The choice:
//
//   1. If the oldest read or the oldest write has passed its deadline, serve that one (the
//      earlier deadline of the two). Each direction's fifo is in arrival order, so its first
//      entry is the one that expires first.
//   2. Otherwise C-LOOK: the entry with the lowest sector at or above the head; when none is
//      above, wrap round to the lowest sector of all. Sweeping one way only keeps the wait of a
//      request behind the head to one sweep.
//
// Lab 8, part 2. Portable.
#include <kernel/block/scheduler.h>
#include <kstd/enforce.h>

namespace block {

// BEGIN LAB 8
namespace {

// The earlier expired of the two fifo heads, or nullptr when neither has expired.
QueueEntry* earliest_expired(SchedulerQueue& queue)
{
    QueueEntry* chosen = nullptr;
    for (auto& fifo : queue.fifo) {
        QueueEntry* oldest = fifo.first();
        if (!oldest || oldest->deadline_ns > queue.now_ns)
            continue;
        if (!chosen || oldest->deadline_ns < chosen->deadline_ns)
            chosen = oldest;
    }
    return chosen;
}

}
// END LAB 8

QueueEntry* deadline_next(SchedulerQueue& queue)
{
    // BEGIN LAB 8
    if (QueueEntry* expired = earliest_expired(queue))
        return expired;
    for (QueueEntry& entry : queue.sorted) {
        if (entry.sector >= queue.head)
            return &entry;
    }
    return queue.sorted.first();
    // END LAB 8
    // STUB LAB 8: // Not written yet: requests go in arrival order, like fifo.
    // STUB LAB 8: return fifo_next(queue);
}

}
