// Core tests of time keeping (kernel/time, arch/x86_64/time): the TSC calibration, the
// monotonic clock, busy waits, and the tick's rate measured against the TSC. Run under
// `irqchip=pic` (PIT tick) and `irqchip=apic` (LAPIC timer; `tick=pit`: PIT via the IOAPIC).
#include "irqchip_test_support.h"
#include <kernel/irq/irq.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 MHZ = 1000 * 1000;

// Ticks per second x 1000 over `ns` of idle time.
u64 measure_tick_millihz(u64 ns, u64* ticks_out)
{
    u64 t0 = time::now_ns(), k0 = time::ticks();
    irqchip_test::idle_for_ns(ns);
    u64 t1 = time::now_ns(), k1 = time::ticks();
    *ticks_out = k1 - k0;
    return (k1 - k0) * time::NS_PER_S * 1000 / (t1 - t0);
}

struct TickRate {
    u64 ticks;
    u64 count_millihz;        // ticks / elapsed time
    u64 median_interval_ns;   // typical time from one tick to the next
    u64 long_intervals;       // intervals > 1.5 periods: a tick lost in between
};

constexpr usize MAX_INTERVALS = 1024;
u64 g_intervals[MAX_INTERVALS];

void sort(u64* v, usize n)
{
    for (usize i = 1; i < n; ++i)
        for (usize j = i; j > 0 && v[j - 1] > v[j]; --j) {
            u64 t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
}

// Idles in hlt for `ns`, timing every tick as it wakes the CPU. A lost tick (TCG on a busy
// host cannot always deliver one before the next is due) shows as one long interval; a timer
// programmed for the wrong rate shifts *every* interval, so the median is the rate's witness.
TickRate measure_tick_rate(u64 ns)
{
    bool were_enabled = arch::save_and_disable_interrupts();
    usize n = 0;
    u64 start = time::now_ns(), first_ticks = time::ticks();
    u64 last_ticks = first_ticks, last_time = 0;
    u64 now = start;
    while (now - start < ns) {
        arch::wait_for_interrupt();
        arch::disable_interrupts_now();
        u64 k = time::ticks();
        now = time::now_ns();
        if (k == last_ticks)
            continue;   // woken by something else
        if (last_time && k == last_ticks + 1 && n < MAX_INTERVALS)
            g_intervals[n++] = now - last_time;
        last_ticks = k;
        last_time = now;
    }
    arch::restore_interrupts(were_enabled);
    TickRate r { last_ticks - first_ticks, 0, 0, 0 };
    r.count_millihz = r.ticks * time::NS_PER_S * 1000 / (now - start);
    sort(g_intervals, n);
    r.median_interval_ns = n ? g_intervals[n / 2] : 0;
    u64 period = time::NS_PER_S / time::TICK_HZ;
    for (usize i = 0; i < n; ++i)
        r.long_intervals += g_intervals[i] > period * 3 / 2;
    return r;
}

}

KTEST(time_tsc_calibrated, CORE_SUITE)
{
    time::calibrate();
    u64 hz = time::tsc_hz();
    ktest::note("TSC %lu Hz (%lu.%03lu MHz)", hz, hz / MHZ, hz % MHZ / 1000);
    EXPECT_MSG(hz >= 100 * MHZ && hz <= 10'000 * MHZ, "TSC rate %lu Hz is not between 100 MHz and 10 GHz", hz);
    return {};
}

KTEST(time_now_monotonic, CORE_SUITE)
{
    time::calibrate();
    u64 previous = time::now_ns();
    EXPECT(previous > 0);
    for (int i = 0; i < 100000; ++i) {
        u64 now = time::now_ns();
        EXPECT_MSG(now >= previous, "now_ns went backwards: %lu after %lu", now, previous);
        previous = now;
    }
    // It advances: a spin of 20 ms of TSC time shows as 20 ms (and not wildly more).
    u64 start = time::now_ns();
    time::busy_wait_ns(20 * time::NS_PER_MS);
    u64 elapsed = time::now_ns() - start;
    EXPECT_MSG(elapsed >= 20 * time::NS_PER_MS && elapsed < 40 * time::NS_PER_MS,
               "busy_wait_ns(20 ms) took %lu ns of clock time", elapsed);
    return {};
}

// The tick's rate over 300 ms of TSC time with the CPU idle in hlt (a busy CPU loses ticks
// under TCG). Two measures: the count of ticks against the TSC must not exceed 105% of
// TICK_HZ, and the median tick-to-tick interval must be within 90%-105% of the rate. The count
// may fall below 90% when the host is loaded (QEMU coalesces timer interrupts the vCPU thread
// could not take in time); that is reported, and accepted down to 50%.
KTEST(time_tick_rate, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    TickRate r = measure_tick_rate(300 * time::NS_PER_MS);
    u64 nominal = u64(time::TICK_HZ) * 1000;
    u64 median_millihz = r.median_interval_ns ? time::NS_PER_S * 1000 * 1000 / r.median_interval_ns / 1000 : 0;
    ktest::note("%s: %lu ticks in 300 ms = %lu.%03lu Hz by count; median interval %lu ns = %lu.%03lu Hz; "
                "%lu lost-tick gaps", time::tick_source(), r.ticks, r.count_millihz / 1000, r.count_millihz % 1000,
                r.median_interval_ns, median_millihz / 1000, median_millihz % 1000, r.long_intervals);
    if (r.count_millihz < nominal * 90 / 100)
        ktest::note("%lu%% of the ticks arrived: the host did not run this vCPU in time (TCG loses ticks)",
                    r.count_millihz * 100 / nominal);
    EXPECT_MSG(r.count_millihz <= nominal * 105 / 100, "more ticks than programmed: %lu mHz", r.count_millihz);
    EXPECT_MSG(r.count_millihz >= nominal * 50 / 100, "only %lu mHz of ticks: the timer is not running at %u Hz",
               r.count_millihz, time::TICK_HZ);
    EXPECT_MSG(median_millihz >= nominal * 90 / 100 && median_millihz <= nominal * 105 / 100,
               "median tick interval %lu ns: %lu mHz is outside 90%%-105%% of %lu mHz", r.median_interval_ns,
               median_millihz, nominal);
    return {};
}

// The tick comes from the right timer on the right line.
KTEST(time_tick_source, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    bool apic = irq::irqchip_kind() == irq::ChipKind::Apic;
    bool pit = !apic || irqchip_test::tick_forced_to_pit();
    ktest::note("tick source: %s, line %d", time::tick_source(), time::tick_irq_line());
    EXPECT_MSG(kstd::StringView(time::tick_source()) == kstd::StringView(pit ? "PIT" : "LAPIC timer"),
               "tick source is %s", time::tick_source());
    if (pit) {
        EXPECT_EQ(time::tick_irq_line(), i32(irq::irqchip().isa_irq_to_line(0)));
        EXPECT_EQ(irq::line_stats(u32(time::tick_irq_line())).handlers, 1u);
    } else {
        EXPECT_EQ(time::tick_irq_line(), -1);
    }
    return {};
}

// Masking the tick's line at the controller stops the ticks; unmasking brings them back.
// (The LAPIC timer has no controller line: run with `tick=pit` to test the IOAPIC path.)
KTEST(time_tick_line_mask, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    if (time::tick_irq_line() < 0) {
        ktest::note("tick from the %s: no controller line to mask", time::tick_source());
        return {};
    }
    auto line = irq::IrqLine(time::tick_irq_line());
    auto& chip = irq::irqchip();
    chip.mask(line);
    // An interrupt the controller had already sent (in the LAPIC's IRR, or the 8259's IRR for
    // a tick raised just before) is still delivered: masking stops new ones. Let it drain.
    irqchip_test::spin_for_ns(5 * time::NS_PER_MS);
    u64 before = time::ticks();
    irqchip_test::spin_for_ns(50 * time::NS_PER_MS);   // no hlt: nothing would wake it
    u64 while_masked = time::ticks() - before;
    chip.unmask(line);
    u64 resumed = 0;
    measure_tick_millihz(50 * time::NS_PER_MS, &resumed);
    ktest::note("line %u: %lu ticks in 50 ms masked, %lu in 50 ms unmasked", line, while_masked, resumed);
    EXPECT_MSG(while_masked == 0, "%lu ticks arrived while line %u was masked", while_masked, line);
    EXPECT_MSG(resumed >= 10, "only %lu ticks in 50 ms after unmasking line %u", resumed, line);
    return {};
}
