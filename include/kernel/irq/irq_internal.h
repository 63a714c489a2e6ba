#pragma once
// Shared between the files of kernel/irq (not a public interface).
#include <kernel/irq/irq.h>

namespace sched { class Thread; }

namespace irq {

struct IrqThread;

struct IrqAction {
    Handler handler;
    ThreadFunction thread_fn;
    void* ctx;
    IrqFlags flags;
    char const* name;
    IrqLine line;
    IrqAction* next { nullptr };
    IrqThread* thread { nullptr };   // threaded IRQs only
};

// Threaded IRQs (threaded.cpp).
ErrorOr<void> start_irq_thread(IrqAction& action);
void stop_irq_thread_if_any(IrqAction& action);
void wake_irq_thread(IrqAction& action);   // Context: IRQ
u64 irq_thread_runs(IrqAction const& action);

void for_each_action(IrqLine line, void (*fn)(IrqAction const&, void*), void* ctx);

}
