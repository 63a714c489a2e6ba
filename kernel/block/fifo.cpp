// The fifo scheduler: requests are served in the order they arrived, wherever they are on the
// disk (include/kernel/block/scheduler.h). Fair, simple, and the baseline the others are measured
// against: its seek distance is whatever the callers' order makes it. Portable.
#include <kernel/block/scheduler.h>
#include <kstd/enforce.h>

namespace block {

QueueEntry* fifo_next(SchedulerQueue& queue)
{
    QueueEntry* read = queue.fifo[SchedulerQueue::READS].first();
    QueueEntry* write = queue.fifo[SchedulerQueue::WRITES].first();
    if (!read || !write)
        return read ? read : write;
    return write->arrival_ns < read->arrival_ns ? write : read;
}

}
