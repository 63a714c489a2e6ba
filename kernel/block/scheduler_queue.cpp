// The lists every I/O scheduler chooses from (include/kernel/block/scheduler.h), and the registry
// of schedulers by name. Portable: also built into the host unit tests.
//
// Insertion walks the lists from the far end: requests mostly arrive in order of time, and a
// streaming reader or writer mostly in order of sector, so the walk is usually one step.
#include <kernel/block/scheduler.h>
#include <kernel/dev/blockdev.h>
#include <kstd/enforce.h>

namespace block {

namespace {

usize fifo_index(QueueEntry const& entry) { return entry.op == dev::BlockOp::Read ? SchedulerQueue::READS : SchedulerQueue::WRITES; }

}

void SchedulerQueue::stamp(QueueEntry& entry, u64 now) const
{
    entry.arrival_ns = now;
    entry.deadline_ns = now + (entry.op == dev::BlockOp::Read ? read_expire_ns : write_expire_ns);
}

void SchedulerQueue::add(QueueEntry& entry)
{
    VERIFY(entry.op == dev::BlockOp::Read || entry.op == dev::BlockOp::Write);
    // Sorted by sector: after the last entry whose sector is not above ours.
    QueueEntry* before = sorted.last();
    while (before && before->sector > entry.sector)
        before = sorted.prev(*before);
    sorted.insert_after(before, entry);

    // By arrival: after the last entry that arrived no later.
    FifoList& same_direction = fifo[fifo_index(entry)];
    QueueEntry* older = same_direction.last();
    while (older && older->arrival_ns > entry.arrival_ns)
        older = same_direction.prev(*older);
    same_direction.insert_after(older, entry);
}

void SchedulerQueue::remove(QueueEntry& entry)
{
    sorted.remove(entry);
    fifo[fifo_index(entry)].remove(entry);
}

u64 SchedulerQueue::move_head_to(QueueEntry const& entry)
{
    u64 distance = entry.sector >= head ? entry.sector - head : head - entry.sector;
    head = entry.end();
    return distance;
}

namespace {

IoScheduler const* const g_schedulers[] = { &fifo_scheduler, &elevator_scheduler, &deadline_scheduler };

}

IoScheduler const fifo_scheduler { "fifo", "first come, first served", fifo_next };
IoScheduler const elevator_scheduler { "elevator", "LOOK: sweep up and down, nearest sector in the sweep's direction", elevator_next };
IoScheduler const deadline_scheduler { "deadline", "C-LOOK by sector, but expired requests first (reads expire sooner)", deadline_next };

IoScheduler const& default_scheduler() { return deadline_scheduler; }

IoScheduler const* find_scheduler(StringView name)
{
    for (IoScheduler const* scheduler : g_schedulers) {
        if (name == StringView(scheduler->name))
            return scheduler;
    }
    return nullptr;
}

usize scheduler_count() { return sizeof(g_schedulers) / sizeof(g_schedulers[0]); }

IoScheduler const& scheduler_at(usize index)
{
    VERIFY(index < scheduler_count());
    return *g_schedulers[index];
}

}
