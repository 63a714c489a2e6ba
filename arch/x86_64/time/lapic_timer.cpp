// The LAPIC timer as the periodic tick in APIC mode (Intel SDM vol. 3A, "APIC Timer"; registers
// in ../irqchip/lapic_regs.h). Its input clock is not architecturally known (under QEMU TCG it
// is 1 GHz at divide-by-1, qemu-platform-facts.md section 7), so it is measured against the
// already calibrated TSC: the median of several 10 ms one-shot windows at divide-by-16.
// It interrupts on its own vector (lapic::TIMER_VECTOR), not through the IOAPIC, and is
// acknowledged with a LAPIC EOI.
#include "lapic_timer.h"
#include "../irqchip/lapic.h"
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace arch::lapic_timer {

namespace {

constexpr u32 WINDOWS = 5;
constexpr u64 WINDOW_NS = 10 * time::NS_PER_MS;
constexpr u32 FULL_COUNT = 0xffffffff;

void (*g_handler)() = nullptr;

// EOI first: if the callback ends up switching threads, the LAPIC must not stay blocked for
// this priority class until the interrupted thread runs again.
void timer_interrupt(InterruptFrame&)
{
    lapic::eoi();
    if (g_handler)
        g_handler();
}

// The timer's count read between two clock reads; the narrowest of a few tries is kept, so a
// host stall under TCG (the vCPU descheduled for milliseconds) cannot be mistaken for timer
// time (the same reasoning as the TSC stamps in tsc.cpp).
struct Stamp {
    u64 ns;
    u32 count;
};

Stamp stamp()
{
    Stamp best { 0, 0 };
    u64 best_width = ~0ull;
    for (int i = 0; i < 4; ++i) {
        u64 before = time::now_ns();
        u32 count = lapic::read(lapic::Reg::TimerCurrentCount);
        u64 after = time::now_ns();
        if (after - before < best_width) {
            best_width = after - before;
            best = Stamp { before + (after - before) / 2, count };
        }
    }
    return best;
}

// One window: the counter runs down from FULL_COUNT for about WINDOW_NS of TSC time.
u64 measure_window()
{
    lapic::write(lapic::Reg::TimerInitialCount, FULL_COUNT);
    Stamp first = stamp();
    while (time::now_ns() - first.ns < WINDOW_NS)
        pause();
    Stamp last = stamp();
    if (last.count >= first.count || last.ns <= first.ns)   // ran out (a stall of minutes) or no clock
        return 0;
    return u64((unsigned __int128)(first.count - last.count) * time::NS_PER_S / (last.ns - first.ns));
}

}

ErrorOr<u64> calibrate()
{
    if (!lapic::is_ready() || time::tsc_hz() == 0)
        return Error::from_errno(ENODEV);
    InterruptsDisabled guard;   // an interrupt inside a window would only add noise
    lapic::write(lapic::Reg::TimerDivide, lapic::TIMER_DIVIDE_BY_16);
    lapic::write(lapic::Reg::LvtTimer, lapic::LVT_MASKED | lapic::TIMER_VECTOR);   // one-shot, silent
    u64 rates[WINDOWS];
    for (u32 i = 0; i < WINDOWS; ++i) {
        u64 rate = measure_window();
        usize j = i;
        for (; j > 0 && rates[j - 1] > rate; --j)   // insertion sort as we go
            rates[j] = rates[j - 1];
        rates[j] = rate;
    }
    lapic::write(lapic::Reg::TimerInitialCount, 0);   // stop
    u64 median = rates[WINDOWS / 2];
    if (median < 1000)   // a counter that did not move
        return Error::from_errno(ENODEV);
    log_info("time: LAPIC timer runs at %lu Hz at divide-by-16 (median of %u windows of 10 ms)\n", median,
             WINDOWS);
    return median;
}

ErrorOr<void> start_periodic(u32 hz, void (*handler)())
{
    u64 rate = TRY(calibrate());
    u64 period = (rate + hz / 2) / hz;
    if (period == 0 || period > FULL_COUNT)
        return Error::from_errno(ERANGE);
    g_handler = handler;
    set_vector_handler(lapic::TIMER_VECTOR, timer_interrupt);
    lapic::write(lapic::Reg::LvtTimer, lapic::LVT_TIMER_PERIODIC | lapic::TIMER_VECTOR);
    lapic::write(lapic::Reg::TimerInitialCount, u32(period));   // writing the count starts it
    return {};
}

}
