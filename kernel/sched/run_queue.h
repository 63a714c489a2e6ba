#pragma once
// The ready threads: one FIFO list per priority level plus a bitmap of non-empty levels, so
// picking the next thread is a find-last-set and a list pop, whatever the number of threads.
// Round-robin among equals falls out of the FIFO order: a thread whose slice ran out goes to the
// back of its level, one preempted by a higher priority before its slice ended to the front.
// Portable (host unit tests). Locking: none inside; the scheduler holds interrupts off.
#include <kernel/sched/entity.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

class RunQueue {
public:
    // Queues `entity` at its current priority behind / ahead of the others of that priority.
    void push_back(SchedEntity& entity);
    void push_front(SchedEntity& entity);
    // Unqueues `entity`, which must be queued here.
    void remove(SchedEntity& entity);
    bool contains(SchedEntity const& entity) const { return entity.queued_level >= 0; }

    // Unqueues and returns the first entity of the highest non-empty level, or nullptr.
    SchedEntity* pop_highest();
    SchedEntity* peek_highest() const;
    // The highest priority with a queued entity; -1 when empty.
    int highest_priority() const;

    usize size() const { return m_size; }
    bool is_empty() const { return m_size == 0; }

private:
    static constexpr int LEVELS = PRIORITY_MAX + 1;
    static_assert(PRIORITY_MIN == 0 && LEVELS <= 64, "one bitmap word covers all levels");

    using Level = IntrusiveList<SchedEntity, &SchedEntity::run_node>;
    Level& level_for_push(SchedEntity& entity);

    Level m_levels[LEVELS];
    u64 m_nonempty { 0 };   // bit p set <=> m_levels[p] is not empty
    usize m_size { 0 };
};

}
