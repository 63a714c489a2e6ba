#pragma once
// Tasklets: the softirq-style bottom half (docs/architecture.md, "Interrupts and deferred work").
//
// A top half calls schedule(); the tasklet then runs on the way out of the interrupt, with
// interrupts enabled, before the interrupted thread resumes. Context inside the function:
// softirq — it must not sleep (might_sleep panics). A tasklet is never run twice at once and
// scheduling it while pending does nothing (raise-once flag).
//
// Receive livelock: when tasklets keep being re-raised, the interrupt exit path stops after
// MAX_ROUNDS_ON_IRQ_EXIT rounds and hands the rest to the low-priority "ksoftirqd" thread, so an
// interrupt flood cannot starve ordinary threads.
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace irq {

class Tasklet {
public:
    using Function = void (*)(void* ctx);
    Tasklet(Function fn, void* ctx, char const* name) : m_fn(fn), m_ctx(ctx), m_name(name) {}
    ~Tasklet();
    Tasklet(Tasklet const&) = delete;
    Tasklet& operator=(Tasklet const&) = delete;

    // Queues the tasklet unless it is already queued. Context: any.
    void schedule();
    // Waits until the tasklet is neither queued nor running. Context: thread.
    void kill();
    bool is_scheduled() const { return m_scheduled; }
    char const* name() const { return m_name; }
    u64 run_count() const { return m_runs; }

    kstd::IntrusiveListNode m_node;   // on the pending list while scheduled

private:
    friend void run_pending_tasklets(unsigned max_rounds);
    Function m_fn;
    void* m_ctx;
    char const* m_name;
    bool volatile m_scheduled { false };
    bool volatile m_running { false };
    u64 m_runs { 0 };
};

inline constexpr unsigned MAX_ROUNDS_ON_IRQ_EXIT = 10;

// Runs up to max_rounds tasklets from the pending list (interrupts enabled while each runs).
// Context: interrupt exit or ksoftirqd.
void run_pending_tasklets(unsigned max_rounds);
bool tasklets_pending();

struct SoftirqStats {
    u64 tasklets_run;          // tasklet functions executed
    u64 run_on_irq_exit;       // of those, on the interrupt exit path
    u64 handed_to_thread;      // times the exit path gave up and woke ksoftirqd
};
SoftirqStats softirq_stats();

// Starts ksoftirqd. Context: boot, after sched::init().
void init_softirq_thread();

}
