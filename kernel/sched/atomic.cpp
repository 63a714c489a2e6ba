// Atomic context: Spinlock (uniprocessor: interrupts off, plus the bookkeeping that catches a
// nested acquire) and might_sleep(), which turns a sleep where sleeping is forbidden into a
// named panic instead of a silent hang or a corrupted interrupt frame.
#include "scheduler.h"
#include <kernel/irq/irq.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace sched {

namespace {
// Spinlocks held on this CPU. Only changed with interrupts off (cli/sti are compiler barriers).
u32 g_spinlock_depth = 0;
}

u32 spinlock_depth() { return g_spinlock_depth; }

u64 deadline_after(u64 timeout_ns)
{
    if (timeout_ns == NO_DEADLINE)
        return NO_DEADLINE;
    u64 now = time::now_ns();
    return timeout_ns >= NO_DEADLINE - now ? NO_DEADLINE - 1 : now + timeout_ns;
}

bool Spinlock::lock()
{
    bool were_enabled = arch::save_and_disable_interrupts();
    // With interrupts off nothing else can run on this CPU, so a held lock here means this very
    // code path (or one it interrupted) holds it: on SMP that would spin forever.
    if (m_locked) [[unlikely]]
        panic("Spinlock '%s': recursive acquire (already held on this CPU; would deadlock)", m_name);
    m_locked = true;
    ++g_spinlock_depth;
    return were_enabled;
}

void Spinlock::unlock(bool restore_interrupts)
{
    if (!m_locked) [[unlikely]]
        panic("Spinlock '%s': unlock of a lock that is not held", m_name);
    m_locked = false;
    --g_spinlock_depth;
    arch::restore_interrupts(restore_interrupts);
    if (restore_interrupts)
        preempt_if_needed();   // a wake-up under the lock may have made a better thread ready
}

void might_sleep(char const* what)
{
    if (irq::in_irq())
        panic("sleeping in interrupt context: %s called from a top half", what);
    if (irq::in_softirq())
        panic("sleeping in interrupt context: %s called from a tasklet", what);
    if (g_spinlock_depth > 0)
        panic("sleeping in atomic context: %s called with a spinlock held", what);
    // Before sched::init the boot code runs alone with interrupts off (as Linux lets early boot
    // pass): a call that really has to block then panics in the scheduler instead.
    if (!is_initialized())
        return;
    if (!arch::interrupts_are_enabled())
        panic("sleeping in atomic context: %s called with interrupts disabled", what);
    if (current() == idle_thread())
        panic("sleeping in the idle thread: %s", what);
}

}
