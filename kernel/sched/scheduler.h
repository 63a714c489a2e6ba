#pragma once
// Interfaces between the files of kernel/sched (not for use elsewhere).
//
// Locking: on this uniprocessor kernel the scheduler's data (run queue, sleepers, wait lists,
// thread states) is guarded by disabling interrupts. Functions marked "IRQs off" must be called
// with interrupts disabled; a SchedGuard is the usual way to get there.
#include "thread_impl.h"
#include <kernel/irq_flags.h>
#include <kernel/sched/thread.h>
#include <kernel/sched/wait_list.h>
#include <kstd/error.h>

namespace sched {

// --- scheduler.cpp ---------------------------------------------------------------------------
// The running thread. Panics before sched::init (there are no threads yet).
Thread& current_thread();
Thread* idle_thread();

// Turns a blocked, sleeping or new thread ready; sets need_resched when it outranks the
// running thread. IRQs off.
void make_ready(Thread& thread);

// Queues the current thread on `list` (and on the sleeper queue unless the deadline is
// NO_DEADLINE) without blocking yet, so the caller can still act as a queued waiter (priority
// donation, releasing a mutex) before wait_prepared(). IRQs off.
void prepare_to_wait(Waiter& waiter, WaitList& list, u64 deadline_ns);
// Blocks until the waiter is woken or times out; returns which. IRQs off.
WaitResult wait_prepared(Waiter& waiter);
// prepare_to_wait + wait_prepared; TimedOut at once when the deadline has passed. IRQs off.
WaitResult block_on(WaitList& list, u64 deadline_ns, bool interruptible = false);
// Wake the best waiter / all waiters of `list`. IRQs off.
bool wake_one_waiter(WaitList& list);
usize wake_all_waiters(WaitList& list);

// Changes the effective priority, requeueing a ready thread, and sets need_resched when the
// running thread is no longer the best choice. IRQs off.
void set_effective_priority(Thread& thread, int priority);

// The current thread has left the Running state (Dying): switch away for good. IRQs off.
[[noreturn]] void switch_away_forever();
// Bookkeeping on the far side of a switch (also the first thing a new thread does). IRQs off.
void finish_switch();

// --- thread.cpp ------------------------------------------------------------------------------
// A thread that will run entry(arg) on a fresh stack, registered but not yet ready.
ErrorOr<Thread*> create_thread(char const* name, ThreadEntry entry, void* arg, int priority);
// The Thread object for the boot code, which becomes "main" on the boot stack.
Thread& adopt_boot_thread();
void start_reaper();
// Called by finish_switch once a Dying thread's stack is no longer in use. IRQs off.
void thread_died(Thread& thread);

// --- mutex.cpp -------------------------------------------------------------------------------
// Recomputes `thread`'s effective priority (its base, raised by the waiters of the mutexes it
// holds) and then that of the owners along the chain of mutexes it waits for. IRQs off.
void refresh_priority(Thread& thread);

// --- atomic.cpp ------------------------------------------------------------------------------
// How many Spinlocks this CPU holds (preemption is off while any is held).
u32 spinlock_depth();

// Interrupts off for the scheduler's data; on release, a wake-up that made a higher-priority
// thread ready switches to it, when the caller had interrupts on (and so may be preempted).
class SchedGuard {
public:
    SchedGuard() : m_were_enabled(arch::save_and_disable_interrupts()) {}
    ~SchedGuard()
    {
        arch::restore_interrupts(m_were_enabled);
        if (m_were_enabled)
            preempt_if_needed();
    }
    SchedGuard(SchedGuard const&) = delete;
    SchedGuard& operator=(SchedGuard const&) = delete;

private:
    bool m_were_enabled;
};

}
