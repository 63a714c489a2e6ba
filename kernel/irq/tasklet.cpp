// Tasklets and ksoftirqd. The pending list is shared between top halves (which schedule) and the
// exit path / ksoftirqd (which run), so it is touched only with interrupts disabled.
#include <kernel/irq/irq.h>
#include <kernel/irq/tasklet.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kstd/enforce.h>

namespace irq {

void enter_softirq_from_thread();
void exit_softirq_from_thread();

namespace {
kstd::IntrusiveList<Tasklet, &Tasklet::m_node> g_pending;   // Guarded by disabling interrupts
SoftirqStats g_stats;
sched::Thread* g_ksoftirqd = nullptr;
// Counts hand-overs; a semaphore rather than a wait queue so that a wake-up arriving before
// ksoftirqd sleeps is not lost.
sched::Semaphore* g_ksoftirqd_work = nullptr;
constexpr int KSOFTIRQD_PRIORITY = sched::PRIORITY_MIN + 1;
constexpr unsigned KSOFTIRQD_BATCH = 64;

void wake_ksoftirqd()
{
    if (g_ksoftirqd_work && g_ksoftirqd_work->value() == 0)
        g_ksoftirqd_work->up();
}

// Low priority on purpose: under a flood, tasklet work competes below ordinary threads.
void ksoftirqd_main(void*)
{
    for (;;) {
        g_ksoftirqd_work->down();
        while (tasklets_pending()) {
            arch::disable_interrupts_now();
            enter_softirq_from_thread();
            run_pending_tasklets(KSOFTIRQD_BATCH);
            exit_softirq_from_thread();
            arch::enable_interrupts_now();
            sched::yield();
        }
    }
}
}

Tasklet::~Tasklet() { kill(); }

// Lab 3, part 1 (lab/03-bottom-halves/README.md): queue the tasklet on g_pending unless it is
// already queued (m_scheduled is the raise-once flag), with interrupts off around the list,
// since top halves call this too. From a thread (neither in_irq() nor in_softirq()) no
// interrupt exit is coming to run it: wake_ksoftirqd().
void Tasklet::schedule()
{
    // BEGIN LAB 3
    InterruptsDisabled guard;
    if (m_scheduled)
        return;
    m_scheduled = true;
    g_pending.push_back(*this);
    if (!in_irq() && !in_softirq())
        wake_ksoftirqd();   // from a thread there is no interrupt exit coming soon to run it
    // END LAB 3
    // STUB LAB 3: // Not deferred at all: the function runs at once, in the caller's context (inside a
    // STUB LAB 3: // top half, too), so that the kernel keeps working until you write the real thing.
    // STUB LAB 3: if (m_running)
    // STUB LAB 3:     return;   // it scheduled itself again while running: dropped
    // STUB LAB 3: m_running = true;
    // STUB LAB 3: m_fn(m_ctx);
    // STUB LAB 3: m_running = false;
    // STUB LAB 3: ++m_runs;
}

void Tasklet::kill()
{
    for (;;) {
        {
            InterruptsDisabled guard;
            if (m_scheduled) {
                g_pending.remove(*this);
                m_scheduled = false;
            }
            if (!m_running)
                return;
        }
        sched::yield();   // it is running in ksoftirqd, which we interrupted: let it finish
    }
}

bool tasklets_pending()
{
    InterruptsDisabled guard;
    return !g_pending.is_empty();
}

// Called with interrupts disabled; returns with interrupts disabled.
// Lab 3, part 1: take up to max_rounds tasklets off g_pending, oldest first, and run each one:
// clear its m_scheduled (so that it may be scheduled again, even by itself), mark it m_running,
// and call m_fn(m_ctx) with interrupts ENABLED (a tasklet is interruptible; only the list needs
// them off). Afterwards count it in m_runs and g_stats (tasklets_run, and run_on_irq_exit when
// on_irq_exit). Return as soon as the list is empty.
void run_pending_tasklets(unsigned max_rounds)
{
    bool on_irq_exit = in_irq() == false && sched::current() != g_ksoftirqd;
    // BEGIN LAB 3
    for (unsigned round = 0; round < max_rounds; ++round) {
        arch::disable_interrupts_now();
        Tasklet* t = g_pending.pop_front();
        if (!t)
            return;
        t->m_scheduled = false;
        t->m_running = true;
        arch::enable_interrupts_now();
        t->m_fn(t->m_ctx);
        arch::disable_interrupts_now();
        t->m_running = false;
        ++t->m_runs;
        ++g_stats.tasklets_run;
        if (on_irq_exit)
            ++g_stats.run_on_irq_exit;
    }
    // END LAB 3
    // STUB LAB 3: (void)max_rounds;   // the stub schedule() runs tasklets at once: none is ever pending
    arch::disable_interrupts_now();
    if (!g_pending.is_empty() && on_irq_exit) {
        ++g_stats.handed_to_thread;
        wake_ksoftirqd();
    }
}

SoftirqStats softirq_stats()
{
    InterruptsDisabled guard;
    return g_stats;
}

void init_softirq_thread()
{
    static sched::Semaphore work(0);
    g_ksoftirqd_work = &work;
    g_ksoftirqd = MUST(sched::spawn("ksoftirqd", ksoftirqd_main, nullptr, KSOFTIRQD_PRIORITY));
}

}
