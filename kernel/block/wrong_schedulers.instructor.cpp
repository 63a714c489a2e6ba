// Purpose-made wrong schedulers: the classic mistakes of lab 8 parts 1 and 2, for the grader's
// self-tests (instructor-only; never in a handout). Each must fail the lab test that names its
// mistake: on the host (lab/08-block-layer/tests/host/selftests.instructor.cpp) and in the kernel
// (booted with selftest.wrong=WORD, kernel/block/selftest_variants.instructor.cpp). Portable.
//
//   elevator_sstf            shortest seek first in either direction: never keeps a direction
//   elevator_no_turn         wraps round to the lowest sector instead of turning (C-LOOK)
//   deadline_ignores_expiry  C-LOOK only: a far request starves under a stream ahead of the head
//   deadline_reads_only      checks only the reads' expiry: writes starve under a stream of reads
#include <kernel/block/scheduler.h>
#include <kstd/enforce.h>

namespace block::wrong {

namespace {

u64 distance(u64 a, u64 b) { return a > b ? a - b : b - a; }

QueueEntry* lowest_at_or_above(SchedulerQueue& queue)
{
    for (QueueEntry& entry : queue.sorted) {
        if (entry.sector >= queue.head)
            return &entry;
    }
    return nullptr;
}

}

QueueEntry* elevator_sstf_next(SchedulerQueue& queue)
{
    QueueEntry* best = nullptr;
    for (QueueEntry& entry : queue.sorted) {
        if (!best || distance(entry.sector, queue.head) < distance(best->sector, queue.head))
            best = &entry;
    }
    return best;
}

QueueEntry* elevator_no_turn_next(SchedulerQueue& queue)
{
    QueueEntry* above = lowest_at_or_above(queue);
    return above ? above : queue.sorted.first();
}

QueueEntry* deadline_ignores_expiry_next(SchedulerQueue& queue) { return elevator_no_turn_next(queue); }

QueueEntry* deadline_reads_only_next(SchedulerQueue& queue)
{
    QueueEntry* oldest_read = queue.fifo[SchedulerQueue::READS].first();
    if (oldest_read && oldest_read->deadline_ns <= queue.now_ns)
        return oldest_read;
    return elevator_no_turn_next(queue);
}

// `extern`: a namespace-scope const has internal linkage otherwise, and the kernel's
// registrations (selftest_variants.instructor.cpp) refer to these by name.
extern IoScheduler const elevator_sstf, elevator_no_turn, deadline_ignores_expiry, deadline_reads_only;
IoScheduler const elevator_sstf { "elevator", "WRONG: shortest seek first", elevator_sstf_next };
IoScheduler const elevator_no_turn { "elevator", "WRONG: wraps instead of turning", elevator_no_turn_next };
IoScheduler const deadline_ignores_expiry { "deadline", "WRONG: never looks at deadlines", deadline_ignores_expiry_next };
IoScheduler const deadline_reads_only { "deadline", "WRONG: only reads expire", deadline_reads_only_next };

}
