// WaitQueue and Semaphore: sleeping on a list of waiters, waking from any context.
// Locking: each object's state is guarded by disabling interrupts (SchedGuard).
#include "scheduler.h"
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kstd/enforce.h>

namespace sched {

namespace {
ErrorOr<void> timed_out_if(WaitResult result)
{
    if (result == WaitResult::TimedOut)
        return Error::from_errno(ETIMEDOUT);
    return {};
}
}

bool WaitQueue::begin_wait() { return arch::save_and_disable_interrupts(); }

void WaitQueue::end_wait(bool were_enabled)
{
    arch::restore_interrupts(were_enabled);
    if (were_enabled)
        preempt_if_needed();
}

WaitResult WaitQueue::block_locked(u64 deadline_ns, bool interruptible)
{
    return block_on(m_waiters, deadline_ns, interruptible);
}

bool WaitQueue::current_interrupt_pending() { return current_thread().m_interrupted; }

void WaitQueue::wait()
{
    might_sleep("WaitQueue::wait");
    SchedGuard guard;
    (void)block_on(m_waiters, NO_DEADLINE);
}

ErrorOr<void> WaitQueue::wait_until(u64 deadline_ns)
{
    might_sleep("WaitQueue::wait_until");
    SchedGuard guard;
    return timed_out_if(block_on(m_waiters, deadline_ns));
}

ErrorOr<void> WaitQueue::wait_for(u64 timeout_ns)
{
    might_sleep("WaitQueue::wait_for");
    u64 deadline = deadline_after(timeout_ns);
    SchedGuard guard;
    return timed_out_if(block_on(m_waiters, deadline));
}

bool WaitQueue::wake_one()
{
    SchedGuard guard;
    return wake_one_waiter(m_waiters);
}

usize WaitQueue::wake_all()
{
    SchedGuard guard;
    return wake_all_waiters(m_waiters);
}

usize WaitQueue::waiter_count() const
{
    InterruptsDisabled guard;
    return m_waiters.size();
}

bool WaitQueue::is_empty() const { return waiter_count() == 0; }

void Semaphore::down()
{
    might_sleep("Semaphore::down");
    SchedGuard guard;
    // Mesa-style: a woken waiter competes with threads arriving meanwhile, hence the loop.
    while (m_value == 0)
        (void)block_on(m_queue.m_waiters, NO_DEADLINE);
    m_value = m_value - 1;
}

ErrorOr<void> Semaphore::down_timeout(u64 timeout_ns)
{
    might_sleep("Semaphore::down_timeout");
    u64 deadline = deadline_after(timeout_ns);
    SchedGuard guard;
    while (m_value == 0) {
        if (block_on(m_queue.m_waiters, deadline) == WaitResult::TimedOut && m_value == 0)
            return Error::from_errno(ETIMEDOUT);
    }
    m_value = m_value - 1;
    return {};
}

bool Semaphore::try_down()
{
    InterruptsDisabled guard;
    if (m_value == 0)
        return false;
    m_value = m_value - 1;
    return true;
}

void Semaphore::up()
{
    SchedGuard guard;
    if (m_value == ~u32(0))
        panic("Semaphore::up: count overflow");
    m_value = m_value + 1;
    wake_one_waiter(m_queue.m_waiters);
}

usize Semaphore::waiter_count() const { return m_queue.waiter_count(); }

}
