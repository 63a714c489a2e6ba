#pragma once
// The scheduler's view of a thread: the keys and links that the run queue, the sleeper queue and
// the wait lists sort by. It is portable (no arch code, no kernel services), so the host unit
// tests drive those structures with plain SchedEntity objects; the kernel's Thread derives
// from it (kernel/sched/thread_impl.h).
#include <kernel/sched/thread.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

// "No deadline" for timed waits and the sleeper queue.
inline constexpr u64 NO_DEADLINE = ~u64(0);

struct SchedEntity {
    // Effective priority: the base priority, raised while a higher-priority thread waits for a
    // Mutex this one holds (priority donation).
    int priority { PRIORITY_DEFAULT };

    // RunQueue link, and the level it was queued at: the priority may change while the entity
    // is queued, and removal must find the list it is really on.
    IntrusiveListNode run_node;
    int queued_level { -1 };

    // SleepQueue link (sleep_until and timed waits), ordered by deadline.
    IntrusiveListNode sleep_node;
    u64 deadline_ns { NO_DEADLINE };
};

}
