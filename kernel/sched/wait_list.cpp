// Waiter bookkeeping for wait queues (see include/kernel/sched/wait_list.h). Portable: also
// compiled into the host unit tests.
#include <kernel/sched/wait_list.h>
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace sched {

void WaitList::add(Waiter& waiter)
{
    VERIFY(waiter.list == nullptr);
    m_waiters.push_back(waiter);
    waiter.list = this;
}

void WaitList::remove(Waiter& waiter)
{
    VERIFY(waiter.list == this);
    unqueue(&waiter);
}

Waiter* WaitList::unqueue(Waiter* waiter)
{
    if (waiter) {
        m_waiters.remove(*waiter);
        waiter->list = nullptr;
    }
    return waiter;
}

Waiter* WaitList::pop_best()
{
    // Strictly greater keeps the earliest of equal-priority waiters: FIFO among equals.
    Waiter* best = nullptr;
    for (auto& waiter : m_waiters) {
        if (!best || waiter.entity.priority > best->entity.priority)
            best = &waiter;
    }
    return unqueue(best);
}

Waiter* WaitList::pop_front() { return unqueue(m_waiters.first()); }

int WaitList::max_priority() const
{
    int best = -1;
    for (auto& waiter : m_waiters) {
        if (waiter.entity.priority > best)
            best = waiter.entity.priority;
    }
    return best;
}

}
