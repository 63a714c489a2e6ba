// The deadline-ordered sleeper queue (see sleep_queue.h). Portable: also compiled into the host
// tests.
#include "sleep_queue.h"
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace sched {

void SleepQueue::insert(SchedEntity& entity, u64 deadline_ns)
{
    entity.deadline_ns = deadline_ns;
    // Linear insertion: the queue holds a handful of threads. Stopping at the first strictly
    // later deadline keeps equal deadlines in FIFO order.
    for (auto& other : m_sleepers) {
        if (other.deadline_ns > deadline_ns) {
            m_sleepers.insert_before(other, entity);
            return;
        }
    }
    m_sleepers.push_back(entity);
}

void SleepQueue::remove(SchedEntity& entity)
{
    m_sleepers.remove(entity);
    entity.deadline_ns = NO_DEADLINE;
}

SchedEntity* SleepQueue::pop_expired(u64 now_ns)
{
    SchedEntity* first = m_sleepers.first();
    if (!first || first->deadline_ns > now_ns)
        return nullptr;
    remove(*first);
    return first;
}

u64 SleepQueue::next_deadline() const
{
    SchedEntity* first = m_sleepers.first();
    return first ? first->deadline_ns : NO_DEADLINE;
}

}
