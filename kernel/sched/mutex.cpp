// Mutex (owner tracking, priority donation) and ConditionVariable (Mesa semantics).
//
// Priority donation (Pintos): a thread blocked on a mutex lends its priority to the owner, and
// through the owner to whoever owns the mutex the owner waits for, and so on. Nothing is stored
// per donation: a thread's effective priority is always recomputed as
//     max(base priority, highest waiter priority over the mutexes it holds)
// whenever one of those inputs changes (a waiter arrives or times out, a mutex is released or
// taken, set_priority), walking the chain of owners from there. So donations are withdrawn
// exactly when they stop applying, also for a waiter that gives up with a timeout.
// Locking: all of it with interrupts disabled (SchedGuard).
#include "scheduler.h"
#include <kernel/irq/irq.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/time/clock.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace sched {

namespace {

// Longer chains than this are surely a bug (or a deadlock cycle); stop rather than loop.
constexpr int MAX_DONATION_DEPTH = 16;

void check_thread_context(char const* what)
{
    if (irq::in_irq() || irq::in_softirq())
        panic("%s called from %s: mutexes belong to threads", what, irq::in_irq() ? "a top half" : "a tasklet");
}

}

void refresh_priority(Thread& thread)
{
    Thread* link = &thread;
    for (int depth = 0; link && depth < MAX_DONATION_DEPTH; ++depth) {
        int effective = link->m_base_priority;
        for (auto& held : link->m_held_mutexes)
            effective = kstd::max(effective, held.max_waiter_priority());
        if (effective == link->priority && link != &thread)
            return;   // nothing changes further down the chain
        set_effective_priority(*link, effective);
        link = link->m_blocked_on ? link->m_blocked_on->m_owner : nullptr;
    }
}

void Mutex::take(Thread& self)
{
    m_owner = &self;
    self.m_held_mutexes.push_back(*this);
    refresh_priority(self);   // threads still waiting here now donate to us
}

void Mutex::release(Thread& self)
{
    self.m_held_mutexes.remove(*this);
    m_owner = nullptr;
    refresh_priority(self);   // drop what this mutex's waiters donated
    wake_one_waiter(m_queue.m_waiters);
}

ErrorOr<void> Mutex::lock_until(u64 deadline_ns, char const* what)
{
    might_sleep(what);
    SchedGuard guard;
    Thread& self = current_thread();
    if (m_owner == &self)
        panic("%s: thread '%s' already holds mutex '%s' (recursive locking deadlocks)", what, self.m_name, m_name);
    while (m_owner) {
        if (deadline_ns != NO_DEADLINE && time::now_ns() >= deadline_ns)
            return Error::from_errno(ETIMEDOUT);
        Waiter waiter(self);
        prepare_to_wait(waiter, m_queue.m_waiters, deadline_ns);
        self.m_blocked_on = this;
        refresh_priority(*m_owner);   // donate, now that we are a queued waiter
        WaitResult result = wait_prepared(waiter);
        self.m_blocked_on = nullptr;
        if (result == WaitResult::TimedOut && m_owner) {
            refresh_priority(*m_owner);   // withdraw the donation
            return Error::from_errno(ETIMEDOUT);
        }
    }
    take(self);
    return {};
}

void Mutex::lock() { (void)lock_until(NO_DEADLINE, "Mutex::lock"); }

ErrorOr<void> Mutex::lock_timeout(u64 timeout_ns)
{
    return lock_until(deadline_after(timeout_ns), "Mutex::lock_timeout");
}

bool Mutex::try_lock()
{
    check_thread_context("Mutex::try_lock");
    SchedGuard guard;
    if (m_owner)
        return false;
    take(current_thread());
    return true;
}

void Mutex::unlock()
{
    check_thread_context("Mutex::unlock");
    SchedGuard guard;   // the woken waiter runs at the guard's end if it outranks us
    Thread& self = current_thread();
    if (m_owner != &self) {
        if (m_owner)
            panic("Mutex::unlock: thread '%s' (id %u) unlocked mutex '%s' owned by thread '%s' (id %u)",
                  self.m_name, self.m_id, m_name, m_owner->m_name, m_owner->m_id);
        panic("Mutex::unlock: thread '%s' (id %u) unlocked mutex '%s', which is not locked", self.m_name, self.m_id,
              m_name);
    }
    release(self);
}

bool Mutex::is_locked_by_current() const
{
    return is_initialized() && m_owner == &current_thread();
}

usize Mutex::waiter_count() const { return m_queue.waiter_count(); }

WaitResult ConditionVariable::wait_until(Mutex& mutex, u64 deadline_ns, char const* what)
{
    might_sleep(what);
    if (!mutex.is_locked_by_current())
        panic("%s: the calling thread does not hold mutex '%s'", what, mutex.name());
    WaitResult result = WaitResult::TimedOut;
    {
        SchedGuard guard;
        if (deadline_ns != NO_DEADLINE && time::now_ns() >= deadline_ns)
            return WaitResult::TimedOut;   // still holding the mutex, as after any wait
        // Queued before the mutex is released, with interrupts off throughout: a signal sent by
        // the thread that takes the mutex next cannot be missed.
        Thread& self = current_thread();
        Waiter waiter(self);
        prepare_to_wait(waiter, m_queue.m_waiters, deadline_ns);
        mutex.release(self);
        result = wait_prepared(waiter);
    }
    mutex.lock();
    return result;
}

void ConditionVariable::wait(Mutex& mutex) { (void)wait_until(mutex, NO_DEADLINE, "ConditionVariable::wait"); }

ErrorOr<void> ConditionVariable::wait_timeout(Mutex& mutex, u64 timeout_ns)
{
    if (wait_until(mutex, deadline_after(timeout_ns), "ConditionVariable::wait_timeout") == WaitResult::TimedOut)
        return Error::from_errno(ETIMEDOUT);
    return {};
}

void ConditionVariable::signal() { m_queue.wake_one(); }

void ConditionVariable::broadcast() { (void)m_queue.wake_all(); }

usize ConditionVariable::waiter_count() const { return m_queue.waiter_count(); }

}
