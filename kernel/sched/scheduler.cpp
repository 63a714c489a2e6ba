// The scheduler core: picking the next thread, switching, blocking and waking, the tick, sleep,
// preemption, and the idle thread with its idle-time accounting.
//
// One CPU, so the scheduler's lock is "interrupts disabled": every function here that touches
// the run queue, the sleepers or a thread's state runs with interrupts off, and the switch
// itself happens with interrupts off. A thread resumes inside the code that switched it out
// (schedule() below, or the interrupt exit path), which then restores that thread's own
// interrupt state; a new thread enables interrupts in thread_start.
//
// Preemption points: the return from an interrupt (irq::exit_hardirq -> preempt_if_needed), the
// end of every scheduler operation called from a thread with interrupts on (SchedGuard), and the
// release of the last Spinlock. A wake-up inside a top half, a tasklet or with a spinlock held
// only sets need_resched; the next preemption point acts on it.
#include "run_queue.h"
#include "scheduler.h"
#include "sleep_queue.h"
#include <kernel/irq/irq.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/time/clock.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace sched {

namespace {

// Guarded by disabling interrupts, all of it.
Thread* g_current = nullptr;
Thread* g_idle = nullptr;
Thread* g_switch_from = nullptr;   // the thread just switched away from, for finish_switch
RunQueue g_run_queue;
SleepQueue g_sleepers;
bool volatile g_need_resched = false;
bool g_initialized = false;
u64 g_context_switches = 0;
SwitchHook g_switch_hook = nullptr;

// Idle accounting: time the idle thread spent halted. A halt period ends when idle resumes
// after the halt or when the scheduler switches away from idle, whichever comes first, so
// the time other threads run while idle is switched out is never counted as idle.
u64 g_idle_ns = 0;
u64 g_halt_start_ns = 0;
bool g_halted = false;

enum class Requeue : u8 {
    Front,   // preempted: keep its place among equals if it still has slice left
    Back,    // yielded or its slice ran out: behind its equals (round-robin)
};

bool outranks_current(Thread const& thread)
{
    return g_current == g_idle || thread.priority > g_current->priority;
}

void end_halt(u64 now)
{
    if (g_halted) {
        g_idle_ns += now - g_halt_start_ns;
        g_halted = false;
    }
}

void switch_to(Thread& prev, Thread& next)
{
    u64 now = time::now_ns();
    prev.m_runtime_ns += now - prev.m_switched_in_ns;
    if (&prev == g_idle)
        end_halt(now);
    next.m_switched_in_ns = now;
    ++next.m_switches;
    ++g_context_switches;
    if (next.m_slice_left == 0)
        next.m_slice_left = TIME_SLICE_TICKS;
    next.m_state = ThreadState::Running;
    g_current = &next;
    g_switch_from = &prev;
    if (g_switch_hook)
        g_switch_hook(&next);
    arch_context_switch(&prev.m_context, &next.m_context);
    // Resumed: some later switch came back to `prev`, which is running again.
    finish_switch();
}

// Picks the best thread and switches to it. Interrupts off. The current thread's state says
// why it stops: still Running means it stays runnable (preempted or yielding) and is requeued;
// Blocked, Sleeping or Dying keep it off the run queue until woken (or for good).
void schedule(Requeue how)
{
    VERIFY(!arch::interrupts_are_enabled());
    Thread& prev = *g_current;
    if (prev.m_state == ThreadState::Running && &prev != g_idle) {
        prev.m_state = ThreadState::Ready;
        if (how == Requeue::Front && prev.m_slice_left > 0) {
            g_run_queue.push_front(prev);
        } else {
            prev.m_slice_left = 0;
            g_run_queue.push_back(prev);
        }
    }
    g_need_resched = false;
    SchedEntity* best = g_run_queue.pop_highest();
    Thread& next = best ? as_thread(*best) : *g_idle;
    if (&next == &prev) {
        prev.m_state = ThreadState::Running;
        return;
    }
    switch_to(prev, next);
}

// Wakes every thread whose deadline has passed: sleepers, and timed waiters (which leave their
// wait list with TimedOut). Interrupts off.
void wake_expired(u64 now)
{
    while (SchedEntity* entity = g_sleepers.pop_expired(now)) {
        Thread& thread = as_thread(*entity);
        if (Waiter* waiter = thread.m_waiter) {
            if (waiter->list)
                waiter->list->remove(*waiter);
            waiter->result = WaitResult::TimedOut;
        }
        make_ready(thread);
    }
}

void check_can_block(Thread& self)
{
    VERIFY(!arch::interrupts_are_enabled());
    if (&self == g_idle)
        panic("the idle thread tried to block");
}

// The idle thread: runs only when no other thread is ready. `sti; hlt` is atomic with respect
// to interrupts (the STI shadow), so a wake-up interrupt arriving after the run-queue check
// still ends the halt instead of being slept through.
[[noreturn]] void idle_loop(void*)
{
    for (;;) {
        arch::disable_interrupts_now();
        // Ticks arrive late or get lost under TCG: look at the sleepers here as well.
        wake_expired(time::now_ns());
        if (!g_run_queue.is_empty()) {
            schedule(Requeue::Back);
            continue;
        }
        g_halt_start_ns = time::now_ns();
        g_halted = true;
        arch::wait_for_interrupt();
        arch::disable_interrupts_now();
        end_halt(time::now_ns());
    }
}

}

Thread& current_thread()
{
    if (!g_current) [[unlikely]]
        panic("sched: no current thread (used before sched::init)");
    return *g_current;
}

Thread* idle_thread() { return g_idle; }

void finish_switch()
{
    Thread* from = kstd::exchange(g_switch_from, nullptr);
    if (from && from->m_state == ThreadState::Dying) {
        // Its stack is no longer in use: from now on it may be freed.
        from->m_state = ThreadState::Dead;
        thread_died(*from);
    }
}

void make_ready(Thread& thread)
{
    VERIFY(thread.m_state == ThreadState::Blocked || thread.m_state == ThreadState::Sleeping);
    if (g_sleepers.contains(thread))
        g_sleepers.remove(thread);
    thread.m_waiter = nullptr;
    thread.m_state = ThreadState::Ready;
    g_run_queue.push_back(thread);
    if (outranks_current(thread))
        g_need_resched = true;
}

void prepare_to_wait(Waiter& waiter, WaitList& list, u64 deadline_ns)
{
    Thread& self = current_thread();
    check_can_block(self);
    list.add(waiter);
    self.m_waiter = &waiter;
    if (deadline_ns != NO_DEADLINE)
        g_sleepers.insert(self, deadline_ns);
}

WaitResult wait_prepared(Waiter& waiter)
{
    Thread& self = current_thread();
    VERIFY(self.m_waiter == &waiter);
    self.m_state = ThreadState::Blocked;
    schedule(Requeue::Back);
    VERIFY(waiter.list == nullptr && waiter.result != WaitResult::Waiting);
    return waiter.result;
}

WaitResult block_on(WaitList& list, u64 deadline_ns, bool interruptible)
{
    if (deadline_ns != NO_DEADLINE && time::now_ns() >= deadline_ns)
        return WaitResult::TimedOut;
    if (interruptible && current_thread().m_interrupted)
        return WaitResult::Woken;   // the caller sees the pending interrupt and gives up
    Waiter waiter(current_thread());
    waiter.interruptible = interruptible;
    prepare_to_wait(waiter, list, deadline_ns);
    return wait_prepared(waiter);
}

bool wake_one_waiter(WaitList& list)
{
    Waiter* waiter = list.pop_best();
    if (!waiter)
        return false;
    waiter->result = WaitResult::Woken;
    make_ready(as_thread(waiter->entity));
    return true;
}

usize wake_all_waiters(WaitList& list)
{
    usize woken = 0;
    while (Waiter* waiter = list.pop_front()) {
        waiter->result = WaitResult::Woken;
        make_ready(as_thread(waiter->entity));
        ++woken;
    }
    return woken;
}

void set_effective_priority(Thread& thread, int priority)
{
    if (thread.priority == priority)
        return;
    bool queued = g_run_queue.contains(thread);
    if (queued)
        g_run_queue.remove(thread);
    thread.priority = priority;
    if (queued) {
        g_run_queue.push_back(thread);
        if (outranks_current(thread))
            g_need_resched = true;
    } else if (&thread == g_current && thread.m_state == ThreadState::Running) {
        if (g_run_queue.highest_priority() > priority)
            g_need_resched = true;   // lowered below a ready thread: give way
    }
}

[[noreturn]] void switch_away_forever()
{
    VERIFY(g_current->m_state == ThreadState::Dying);
    schedule(Requeue::Back);
    panic("sched: dead thread '%s' was scheduled again", g_current->m_name);
}

// --- public interface ------------------------------------------------------------------------

Thread* current() { return g_current; }
void set_switch_hook(SwitchHook hook) { g_switch_hook = hook; }

void interrupt(Thread* thread)
{
    InterruptsDisabled guard;
    thread->m_interrupted = true;
    Waiter* waiter = thread->m_waiter;
    if (thread->m_state == ThreadState::Blocked && waiter && waiter->interruptible && waiter->list) {
        waiter->list->remove(*waiter);
        waiter->result = WaitResult::Woken;
        make_ready(*thread);
    }
}

bool interrupt_pending(Thread const* thread) { return thread->m_interrupted; }

void clear_interrupt(Thread* thread)
{
    InterruptsDisabled guard;
    thread->m_interrupted = false;
}
bool is_initialized() { return g_initialized; }
bool need_resched() { return g_need_resched; }
u64 context_switches() { return g_context_switches; }

void init()
{
    if (g_initialized)
        panic("sched::init called twice");
    InterruptsDisabled guard;
    g_idle = MUST(create_thread("idle", idle_loop, nullptr, PRIORITY_MIN));
    g_idle->m_state = ThreadState::Ready;   // never on the run queue: picked when it is empty
    Thread& main = adopt_boot_thread();
    main.m_state = ThreadState::Running;
    main.m_switched_in_ns = time::now_ns();
    main.m_slice_left = TIME_SLICE_TICKS;
    g_current = &main;
    g_initialized = true;
    start_reaper();
}

void on_tick()
{
    if (!g_initialized)
        return;
    InterruptsDisabled guard;   // already off in the tick's top half; cheap insurance
    wake_expired(time::now_ns());
    Thread& running = *g_current;
    if (&running == g_idle) {
        if (!g_run_queue.is_empty())
            g_need_resched = true;
        return;
    }
    if (running.m_slice_left > 0)
        --running.m_slice_left;
    // Slice used up: give way to an equal (or, unusually, higher) priority thread if one waits;
    // alone at its level it keeps running and re-checks at every tick.
    if (running.m_slice_left == 0 && g_run_queue.highest_priority() >= running.priority)
        g_need_resched = true;
}

void preempt_if_needed()
{
    if (!g_need_resched || !g_initialized)
        return;
    // Inside a top half or tasklet the interrupt exit path will get here again; a spinlock
    // holder gets here from Spinlock::unlock.
    if (irq::in_irq() || irq::in_softirq() || spinlock_depth() > 0)
        return;
    bool were_enabled = arch::save_and_disable_interrupts();
    while (g_need_resched && g_current->m_state == ThreadState::Running)
        schedule(Requeue::Front);
    arch::restore_interrupts(were_enabled);
}

void yield()
{
    if (irq::in_irq() || irq::in_softirq())
        panic("sched::yield called from %s", irq::in_irq() ? "a top half" : "a tasklet");
    if (!g_initialized)
        return;
    if (spinlock_depth() > 0)
        panic("sched::yield called with a spinlock held");
    bool were_enabled = arch::save_and_disable_interrupts();
    g_current->m_slice_left = 0;
    schedule(Requeue::Back);
    arch::restore_interrupts(were_enabled);
}

void sleep_until(u64 deadline_ns)
{
    might_sleep("sched::sleep_until");
    SchedGuard guard;
    Thread& self = current_thread();
    check_can_block(self);
    if (time::now_ns() >= deadline_ns)
        return;
    g_sleepers.insert(self, deadline_ns);
    self.m_state = ThreadState::Sleeping;
    schedule(Requeue::Back);
}

void sleep_for(u64 ns)
{
    might_sleep("sched::sleep_for");
    sleep_until(deadline_after(ns));
}

u64 idle_ns()
{
    InterruptsDisabled guard;
    u64 total = g_idle_ns;
    if (g_halted)
        total += time::now_ns() - g_halt_start_ns;
    return total;
}

u64 busy_ns()
{
    u64 idle = idle_ns();
    u64 now = time::now_ns();
    return now > idle ? now - idle : 0;
}

}
