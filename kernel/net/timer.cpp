// The stack's timer thread (kernel/net/timer.h).
#include "timer.h"
#include <kernel/printk.h>
#include <kernel/sched/entity.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace net {

namespace {

sched::Spinlock g_lock { "net-timers" };
IntrusiveList<Timer, &Timer::m_link> g_armed;   // Guarded by g_lock, in no particular order
sched::WaitQueue g_changed;                      // the thread sleeps here
u64 g_generation = 0;                            // Guarded by g_lock: bumped by every arm()
bool g_started = false;

}

struct TimerList {
    // Takes the first expired timer off the list, or returns the earliest deadline in *next.
    static Timer* take_expired(u64 now, u64* next)
    {
        sched::SpinlockGuard guard(g_lock);
        *next = sched::NO_DEADLINE;
        for (Timer& timer : g_armed) {
            if (timer.m_deadline <= now) {
                g_armed.remove(timer);
                return &timer;
            }
            if (timer.m_deadline < *next)
                *next = timer.m_deadline;
        }
        return nullptr;
    }
    static void run(Timer& timer) { timer.m_fn(timer.m_ctx); }
};

void Timer::arm(u64 deadline_ns)
{
    {
        sched::SpinlockGuard guard(g_lock);
        m_deadline = deadline_ns;
        ++g_generation;
        if (!m_link.is_linked())
            g_armed.push_back(*this);
    }
    g_changed.wake_all();
}

void Timer::cancel()
{
    sched::SpinlockGuard guard(g_lock);
    if (m_link.is_linked())
        g_armed.remove(*this);
}

bool Timer::is_armed() const
{
    sched::SpinlockGuard guard(g_lock);
    return m_link.is_linked();
}

namespace {

void timer_thread(void*)
{
    for (;;) {
        u64 generation;
        {
            sched::SpinlockGuard guard(g_lock);
            generation = g_generation;
        }
        u64 next = sched::NO_DEADLINE;
        while (Timer* timer = TimerList::take_expired(time::now_ns(), &next))
            TimerList::run(*timer);
        // Sleep until the earliest deadline, or until an arm() may have moved it.
        (void)g_changed.wait_event_until([generation] { return g_generation != generation; }, next);
    }
}

}

void timer_init()
{
    if (g_started)
        return;
    g_started = true;
    (void)MUST(sched::spawn("net-timer", timer_thread, nullptr, sched::PRIORITY_DEFAULT + 4));
}

}
