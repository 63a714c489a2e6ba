// Waking threads from interrupt context: a top half ups a semaphore that a higher-priority
// thread waits on (the Pintos IDE pattern of lab 5). The switch must not happen inside the
// handler (it only sets need_resched) but on the interrupt's exit path, before the interrupted
// thread runs another instruction of its own.
#include "sched_test_support.h"
#include <arch/platform.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/irqchip.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

using namespace sched_test;

namespace {

// ISA IRQ 5: no device uses it in the test machines (q35 and pc), with the PIC or the IOAPIC.
constexpr irq::IrqLine TEST_LINE = 5;

struct IrqWake {
    sched::Semaphore ready { 0 };
    bool volatile handler_ran { false };
    bool volatile resched_pending_in_handler { false };
    bool volatile same_thread_in_handler { false };
    bool volatile waiter_saw_handler_done { false };
    bool volatile waiter_done { false };
    sched::Thread* interrupted { nullptr };
};
IrqWake g_wake;

irq::IrqReturn wake_from_top_half(void*)
{
    g_wake.ready.up();   // Context: IRQ. Must only mark the waiter ready.
    g_wake.resched_pending_in_handler = sched::need_resched();
    g_wake.same_thread_in_handler = sched::current() == g_wake.interrupted;
    g_wake.handler_ran = true;
    return irq::IrqReturn::Handled;
}

void wait_for_interrupt_event(void*)
{
    g_wake.ready.down();
    g_wake.waiter_saw_handler_done = g_wake.handler_ran;
    g_wake.waiter_done = true;
}

}

KTEST(sync_wake_from_irq_preempts_on_exit, CORE_SUITE)
{
    g_wake.handler_ran = false;
    g_wake.waiter_done = false;
    g_wake.interrupted = sched::current();
    auto* waiter = EXPECT_OK(sched::spawn("irq-waiter", wait_for_interrupt_event, nullptr,
                                          sched::priority(sched::current()) + 5));   // runs, blocks
    EXPECT_EQ(g_wake.ready.waiter_count(), 1u);
    bool waiter_ran_first = false;
    {
        auto handle = EXPECT_OK(irq::request_irq(TEST_LINE, wake_from_top_half, nullptr, irq::IrqFlags::None,
                                                 "sched-test"));
        EXPECT(arch::interrupts_are_enabled());
        irq::irqchip().raise_for_test(TEST_LINE);
        // A self-IPI may take a moment to arrive; `int` (PIC) is synchronous.
        u64 give_up = sched::deadline_after(100 * MS);
        while (!g_wake.handler_ran && time::now_ns() < give_up)
            arch::cpu_relax();
        waiter_ran_first = g_wake.waiter_done;   // the very first thing we check after the handler
    }
    (void)EXPECT_OK(sched::join(waiter));
    EXPECT_MSG(g_wake.handler_ran, "the test interrupt on line %u never reached the handler", TEST_LINE);
    EXPECT_MSG(g_wake.same_thread_in_handler, "the handler ran on another thread: a switch inside the top half");
    EXPECT_MSG(g_wake.resched_pending_in_handler, "waking a higher-priority thread in a top half did not set "
               "need_resched");
    EXPECT_MSG(g_wake.waiter_saw_handler_done, "the woken thread ran before its waker's handler finished");
    EXPECT_MSG(waiter_ran_first, "the woken higher-priority thread did not run on the interrupt's exit path");
    return {};
}
