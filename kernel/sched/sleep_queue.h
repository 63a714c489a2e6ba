#pragma once
// Threads waiting for a deadline (sleep_until, and waits with a timeout), kept sorted by
// deadline so the tick only looks at the front. Deadlines are absolute times on the monotonic
// clock (time::now_ns), never tick counts: TCG loses ticks while the host is busy, and a count
// would drift. Equal deadlines keep their insertion order.
// Portable (host unit tests). Locking: none inside; the scheduler holds interrupts off.
#include <kernel/sched/entity.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

class SleepQueue {
public:
    // Queues `entity` to wake at `deadline_ns` (stored in entity.deadline_ns).
    void insert(SchedEntity& entity, u64 deadline_ns);
    // Unqueues `entity`, which must be queued here.
    void remove(SchedEntity& entity);
    bool contains(SchedEntity const& entity) const { return m_sleepers.contains(entity); }

    // Unqueues and returns the earliest entity if its deadline is <= now_ns, else nullptr.
    SchedEntity* pop_expired(u64 now_ns);
    // The earliest deadline; NO_DEADLINE when empty.
    u64 next_deadline() const;

    usize size() const { return m_sleepers.size(); }
    bool is_empty() const { return m_sleepers.is_empty(); }

private:
    IntrusiveList<SchedEntity, &SchedEntity::sleep_node> m_sleepers;
};

}
