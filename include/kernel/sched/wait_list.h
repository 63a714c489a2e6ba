#pragma once
// The waiter list behind WaitQueue (and so behind Semaphore, Mutex and ConditionVariable).
// Portable bookkeeping only: blocking and waking threads is kernel/sched/scheduler.cpp's job.
//
// A Waiter lives on the waiting thread's stack for the length of one wait, so queueing never
// allocates and works with interrupts off. Waking picks the highest-priority waiter, the
// longest-waiting among equals (Pintos semantics): priorities can change while a thread waits
// (priority donation), so the choice is made at wake time rather than kept sorted.
// Locking: none inside. The kernel touches wait lists only with interrupts disabled.
#include <kernel/sched/entity.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace sched {

enum class WaitResult : u8 { Waiting, Woken, TimedOut };

class WaitList;

struct Waiter {
    explicit Waiter(SchedEntity& waiting) : entity(waiting) {}
    Waiter(Waiter const&) = delete;
    Waiter& operator=(Waiter const&) = delete;

    SchedEntity& entity;
    WaitResult result { WaitResult::Waiting };
    bool interruptible { false };   // sched::interrupt() may end this wait (user processes)
    WaitList* list { nullptr };   // the list it is queued on, for removal on timeout
    IntrusiveListNode node;
};

class WaitList {
public:
    // Queues `waiter` behind the others. It must not be queued anywhere.
    void add(Waiter& waiter);
    // Unqueues `waiter`, which must be on this list.
    void remove(Waiter& waiter);
    bool contains(Waiter const& waiter) const { return waiter.list == this; }

    // Unqueues and returns the waiter to wake next (highest priority, then FIFO), or nullptr.
    Waiter* pop_best();
    // Unqueues and returns the longest-waiting waiter, or nullptr.
    Waiter* pop_front();

    // The highest priority among the waiters; -1 when there are none (priority donation).
    int max_priority() const;

    usize size() const { return m_waiters.size(); }
    bool is_empty() const { return m_waiters.is_empty(); }

private:
    Waiter* unqueue(Waiter* waiter);

    IntrusiveList<Waiter, &Waiter::node> m_waiters;
};

}
