// Interrupt context bookkeeping and the interrupt exit path: tasklets, then preemption.
#include <kernel/irq/irq.h>
#include <kernel/irq/tasklet.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/thread.h>
#include <kstd/enforce.h>

namespace irq {

namespace {
// Nesting depth of top halves (an exception handler or NMI may interrupt one) and whether a
// tasklet is running. Uniprocessor: plain globals, changed only with interrupts off.
u32 g_hardirq_depth = 0;
u32 g_softirq_depth = 0;
}

bool in_irq() { return g_hardirq_depth > 0; }
bool in_softirq() { return g_softirq_depth > 0; }
bool in_atomic() { return in_irq() || in_softirq() || !arch::interrupts_are_enabled(); }

void enter_hardirq() { ++g_hardirq_depth; }

// Runs with interrupts disabled, on the interrupted thread's stack.
void exit_hardirq()
{
    --g_hardirq_depth;
    if (g_hardirq_depth > 0 || g_softirq_depth > 0)
        return;   // nested: the outermost exit (or the running tasklet loop) does the rest
    if (tasklets_pending()) {
        ++g_softirq_depth;
        run_pending_tasklets(MAX_ROUNDS_ON_IRQ_EXIT);
        --g_softirq_depth;
    }
    sched::preempt_if_needed();
}

// ksoftirqd runs tasklets in thread context but they still see softirq context.
void enter_softirq_from_thread() { ++g_softirq_depth; }
void exit_softirq_from_thread() { --g_softirq_depth; }

}
