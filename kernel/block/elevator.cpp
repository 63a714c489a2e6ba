// The elevator scheduler, LOOK (include/kernel/block/scheduler.h): the disk arm sweeps like a
// lift that only goes as far as the last call in its direction. Going up, it serves the entry
// with the lowest sector at or above the head; when nothing is left above, it turns round and,
// going down, serves the entry with the highest sector below the head; and so on.
//
//     head 53, going up, queue 98 183 37 122 14 124 65 67
//     served: 65 67 98 122 124 183 | turn | 37 14
//
// Compared with fifo it shortens the seeks a lot; what it gives up is fairness: a request just
// behind the head waits for a whole sweep, and one far away can wait as long as new requests keep
// arriving in the sweep's path (the deadline scheduler fixes that). Lab 8, part 1. Portable.
#include <kernel/block/scheduler.h>
#include <kstd/enforce.h>

namespace block {

// BEGIN LAB 8
namespace {

// The first entry (in sector order) at or above the head, or nullptr when all are below it.
QueueEntry* first_at_or_above(SchedulerQueue& queue)
{
    for (QueueEntry& entry : queue.sorted) {
        if (entry.sector >= queue.head)
            return &entry;
    }
    return nullptr;
}

// The entry just below the head (the highest sector under it; the oldest of equal sectors).
QueueEntry* nearest_below(SchedulerQueue& queue, QueueEntry* above)
{
    QueueEntry* below = above ? queue.sorted.prev(*above) : queue.sorted.last();
    while (below) {
        QueueEntry* before = queue.sorted.prev(*below);
        if (!before || before->sector != below->sector)
            break;
        below = before;
    }
    return below;
}

}
// END LAB 8

// Returns the next entry for the sweep, turning the sweep round (queue.direction) when nothing
// is left in its direction; nullptr only when the queue is empty.
QueueEntry* elevator_next(SchedulerQueue& queue)
{
    // BEGIN LAB 8
    if (queue.is_empty())
        return nullptr;
    QueueEntry* above = first_at_or_above(queue);
    QueueEntry* below = nearest_below(queue, above);
    if (queue.direction == Direction::Up) {
        if (above)
            return above;
        queue.direction = Direction::Down;
        return below;
    }
    if (below)
        return below;
    queue.direction = Direction::Up;
    return above;
    // END LAB 8
    // STUB LAB 8: // Not written yet: requests go in arrival order, like fifo.
    // STUB LAB 8: return fifo_next(queue);
}

}
