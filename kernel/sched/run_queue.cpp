// Per-priority FIFO run queues (see run_queue.h). Portable: also compiled into the host tests.
#include "run_queue.h"
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace sched {

RunQueue::Level& RunQueue::level_for_push(SchedEntity& entity)
{
    VERIFY(entity.queued_level < 0);
    VERIFY(entity.priority >= PRIORITY_MIN && entity.priority <= PRIORITY_MAX);
    entity.queued_level = entity.priority;
    m_nonempty |= u64(1) << entity.priority;
    ++m_size;
    return m_levels[entity.priority];
}

void RunQueue::push_back(SchedEntity& entity) { level_for_push(entity).push_back(entity); }

void RunQueue::push_front(SchedEntity& entity) { level_for_push(entity).push_front(entity); }

void RunQueue::remove(SchedEntity& entity)
{
    int level = entity.queued_level;
    VERIFY(level >= 0 && m_levels[level].contains(entity));
    m_levels[level].remove(entity);
    entity.queued_level = -1;
    if (m_levels[level].is_empty())
        m_nonempty &= ~(u64(1) << level);
    --m_size;
}

int RunQueue::highest_priority() const
{
    return m_nonempty ? 63 - __builtin_clzll(m_nonempty) : -1;
}

SchedEntity* RunQueue::peek_highest() const
{
    int level = highest_priority();
    return level < 0 ? nullptr : m_levels[level].first();
}

SchedEntity* RunQueue::pop_highest()
{
    SchedEntity* entity = peek_highest();
    if (entity)
        remove(*entity);
    return entity;
}

}
