// Threaded IRQs: the top half returns WakeThread, and the action's own kernel thread runs the
// thread function in process context (it may sleep). With OneShot the top half's line stays
// masked from the WakeThread until the thread function returns, so a level-triggered device
// cannot storm while its thread works.
#include <kernel/irq/irq_internal.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace irq {

struct IrqThread {
    sched::Semaphore pending { 0 };
    sched::Thread* thread { nullptr };
    bool volatile stopping { false };
    bool volatile line_masked { false };
    u64 runs { 0 };
};

namespace {
constexpr int IRQ_THREAD_PRIORITY = sched::PRIORITY_MAX - 8;

void irq_thread_main(void* arg)
{
    auto& action = *static_cast<IrqAction*>(arg);
    IrqThread& t = *action.thread;
    for (;;) {
        t.pending.down();
        if (t.stopping)
            return;
        action.thread_fn(action.ctx);
        ++t.runs;
        InterruptsDisabled guard;
        if (t.line_masked) {
            t.line_masked = false;
            irqchip().unmask(action.line);
        }
    }
}
}

ErrorOr<void> start_irq_thread(IrqAction& action)
{
    action.thread = new (kstd::nothrow) IrqThread;
    if (!action.thread)
        return Error::from_errno(ENOMEM);
    auto thread = sched::spawn(action.name, irq_thread_main, &action, IRQ_THREAD_PRIORITY);
    if (thread.is_error()) {
        delete action.thread;
        action.thread = nullptr;
        return thread.release_error();
    }
    action.thread->thread = thread.value();
    return {};
}

void stop_irq_thread_if_any(IrqAction& action)
{
    if (!action.thread)
        return;
    action.thread->stopping = true;
    action.thread->pending.up();
    (void)sched::join(action.thread->thread);
    delete action.thread;
    action.thread = nullptr;
}

void wake_irq_thread(IrqAction& action)
{
    if (!action.thread)
        return;
    if (has_flag(action.flags, IrqFlags::OneShot) && !action.thread->line_masked) {
        action.thread->line_masked = true;
        irqchip().mask(action.line);
    }
    action.thread->pending.up();
}

u64 irq_thread_runs(IrqAction const& action) { return action.thread ? action.thread->runs : 0; }

}
