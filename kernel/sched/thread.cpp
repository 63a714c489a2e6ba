// Thread life cycle: creation, the entry trampoline's C++ half, exit, join/detach, the reaper
// that frees detached threads, and the accessors of thread.h.
//
// Who frees what: a thread can never free its own stack (it is standing on it). An exiting
// thread becomes Dying, switches away for good, and is marked Dead on the far side of that
// switch (finish_switch). Then join() frees a joinable thread; a detached one goes to the reaper.
#include "scheduler.h"
#include <kernel/irq/irq.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace sched {

namespace {

// Guarded by disabling interrupts.
IntrusiveList<Thread, &Thread::m_all_node> g_all_threads;
IntrusiveList<Thread, &Thread::m_zombie_node> g_zombies;
WaitList g_reaper_wakeup;
Thread* g_reaper = nullptr;
u32 g_next_id = 0;

bool valid_priority(int priority) { return priority >= PRIORITY_MIN && priority <= PRIORITY_MAX; }

Thread* new_thread(char const* name, int priority)
{
    auto* thread = new (kstd::nothrow) Thread;
    if (!thread)
        return nullptr;
    kstd::copy_string(thread->m_name, sizeof(thread->m_name), kstd::StringView(name));
    thread->priority = priority;
    thread->m_base_priority = priority;
    InterruptsDisabled guard;
    thread->m_id = g_next_id++;
    g_all_threads.push_back(*thread);
    return thread;
}

// Where every new thread starts (called by the arch trampoline with interrupts still off).
[[noreturn]] void thread_start(void* raw)
{
    finish_switch();
    auto& self = *static_cast<Thread*>(raw);
    arch::enable_interrupts_now();
    preempt_if_needed();
    self.m_entry(self.m_arg);
    exit(0);
}

// Frees a Dead thread that nobody will touch again.
void reclaim(Thread* thread)
{
    {
        InterruptsDisabled guard;
        VERIFY(thread->m_state == ThreadState::Dead);
        g_all_threads.remove(*thread);
    }
    delete thread;   // unmaps its stack (KernelStack's destructor)
}

void hand_to_reaper(Thread& thread)
{
    g_zombies.push_back(thread);
    wake_one_waiter(g_reaper_wakeup);
}

// Frees detached threads after they die. Highest priority so that dead stacks do not pile up
// behind busy threads; the work per wake-up is short.
[[noreturn]] void reaper_main(void*)
{
    for (;;) {
        Thread* dead;
        {
            SchedGuard guard;
            while (g_zombies.is_empty())
                (void)block_on(g_reaper_wakeup, NO_DEADLINE);
            dead = g_zombies.pop_front();
        }
        reclaim(dead);
    }
}

char const* context_name() { return irq::in_irq() ? "a top half" : "a tasklet"; }

}

ErrorOr<Thread*> create_thread(char const* name, ThreadEntry entry, void* arg, int priority)
{
    auto stack = mm::allocate_kernel_stack();
    if (stack.is_error())
        return stack.release_error();
    Thread* thread = new_thread(name, priority);
    if (!thread)
        return Error::from_errno(ENOMEM);
    thread->m_stack = kstd::move(stack.value());
    thread->m_entry = entry;
    thread->m_arg = arg;
    arch::prepare_thread_context(thread->m_context, thread->m_stack.top(), thread_start, thread);
    return thread;
}

Thread& adopt_boot_thread()
{
    Thread* main = new_thread("main", PRIORITY_DEFAULT);
    if (!main)
        panic("sched::init: out of memory for the main thread");
    return *main;
}

void start_reaper() { g_reaper = MUST(spawn("reaper", reaper_main, nullptr, PRIORITY_MAX)); }

void thread_died(Thread& thread)
{
    if (thread.m_detached)
        hand_to_reaper(thread);
}

ErrorOr<Thread*> spawn(char const* name, ThreadEntry entry, void* arg, int priority)
{
    if (!entry || !valid_priority(priority))
        return Error::from_errno(EINVAL);
    if (irq::in_irq() || irq::in_softirq())
        panic("sched::spawn(\"%s\") called from %s", name, context_name());
    if (!is_initialized())
        panic("sched::spawn(\"%s\") before sched::init()", name);
    Thread* thread = TRY(create_thread(name, entry, arg, priority));
    SchedGuard guard;   // a higher-priority thread runs as soon as the guard ends
    make_ready(*thread);
    return thread;
}

ErrorOr<int> join(Thread* thread)
{
    might_sleep("sched::join");
    if (!thread || thread == current() || thread == idle_thread() || thread == g_reaper)
        return Error::from_errno(EINVAL);
    {
        SchedGuard guard;
        if (thread->m_detached || thread->m_join_claimed)
            return Error::from_errno(EINVAL);
        thread->m_join_claimed = true;
        // exit() wakes us while still Dying; it is Dead by the time we run again, because
        // finish_switch marks it before any other thread's code runs.
        while (thread->m_state != ThreadState::Dead)
            (void)block_on(thread->m_joiners, NO_DEADLINE);
    }
    int code = thread->m_exit_code;
    reclaim(thread);
    return code;
}

void detach(Thread* thread)
{
    VERIFY(thread);
    SchedGuard guard;
    if (thread->m_detached)
        panic("sched::detach: thread '%s' is already detached", thread->m_name);
    if (thread->m_join_claimed)
        panic("sched::detach: thread '%s' is being joined", thread->m_name);
    thread->m_detached = true;
    if (thread->m_state == ThreadState::Dead)
        hand_to_reaper(*thread);
}

void exit(int code)
{
    if (irq::in_irq() || irq::in_softirq())
        panic("sched::exit called from %s", context_name());
    arch::disable_interrupts_now();
    Thread& self = current_thread();
    if (&self == idle_thread() || &self == g_reaper)
        panic("sched::exit: the %s thread must not exit", self.m_name);
    if (spinlock_depth() > 0)
        panic("thread '%s' exited holding a spinlock", self.m_name);
    if (Mutex* held = self.m_held_mutexes.first())
        panic("thread '%s' exited holding mutex '%s'", self.m_name, held->name());
    self.m_exit_code = code;
    self.m_state = ThreadState::Dying;
    wake_all_waiters(self.m_joiners);
    switch_away_forever();
}

int priority(Thread const* thread) { return thread->priority; }
int base_priority(Thread const* thread) { return thread->m_base_priority; }
char const* name(Thread const* thread) { return thread->m_name; }
u32 id(Thread const* thread) { return thread->m_id; }
void set_user_context(Thread* thread, void* context) { thread->m_user_context = context; }
void* user_context(Thread const* thread) { return thread->m_user_context; }
u64 kernel_stack_top(Thread const* thread) { return thread->m_stack.is_valid() ? thread->m_stack.top() : 0; }
ThreadState state(Thread const* thread) { return thread->m_state; }
u64 switch_count(Thread const* thread) { return __atomic_load_n(&thread->m_switches, __ATOMIC_RELAXED); }

void set_priority(Thread* thread, int priority)
{
    VERIFY(thread);
    if (!valid_priority(priority))
        panic("sched::set_priority(%s, %d): priority outside %d..%d", thread->m_name, priority, PRIORITY_MIN,
              PRIORITY_MAX);
    if (thread == idle_thread())
        panic("sched::set_priority: the idle thread's priority is fixed");
    SchedGuard guard;   // switches away at its end if the caller is no longer the best choice
    thread->m_base_priority = priority;
    refresh_priority(*thread);
}

char const* state_name(ThreadState state)
{
    switch (state) {
    case ThreadState::Ready: return "ready";
    case ThreadState::Running: return "running";
    case ThreadState::Blocked: return "blocked";
    case ThreadState::Sleeping: return "sleeping";
    case ThreadState::Dying: return "dying";
    case ThreadState::Dead: return "dead";
    }
    return "?";
}

void for_each_thread(void (*fn)(ThreadInfo const&, void* ctx), void* ctx)
{
    InterruptsDisabled guard;
    u64 now = time::now_ns();
    for (auto& thread : g_all_threads) {
        u64 runtime = thread.m_runtime_ns;
        if (&thread == current())
            runtime += now - thread.m_switched_in_ns;
        ThreadInfo info { thread.m_id, thread.m_name, thread.priority, thread.m_state,
                          runtime, thread.m_switches, thread.m_base_priority };
        fn(info, ctx);
    }
}

usize thread_count()
{
    InterruptsDisabled guard;
    return g_all_threads.size();
}

}
