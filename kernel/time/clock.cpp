// The monotonic clock and the tick (include/kernel/time/clock.h).
//
// Time is the cycle counter (TSC) scaled to nanoseconds, never a tick count: under QEMU TCG,
// timer interrupts are lost while the CPU is busy (qemu-platform-facts.md section 7), while the
// TSC keeps running at the host rate. The scale is a mult/shift pair, ns = (cycles * mult) >>
// 32, evaluated in 128 bits so that neither the product nor a long uptime can overflow, and
// without floating point (the kernel is built with -mgeneral-regs-only).
#include <arch/platform.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace time {

namespace {

constexpr unsigned SCALE_SHIFT = 32;

// Written once by calibrate() before anything reads them, then read-only.
u64 g_cycle_hz = 0;
u64 g_cycle_base = 0;
u64 g_mult = 0;   // nanoseconds per cycle, as a 32.32 fixed-point number

// Updated only by the tick interrupt; readers on this single CPU see whole u64 stores.
u64 volatile g_ticks = 0;
void (*g_on_tick)() = nullptr;
arch::TickTimer g_tick_timer { "none", -1 };
bool g_tick_running = false;

void tick_interrupt()
{
    g_ticks = g_ticks + 1;
    if (g_on_tick)
        g_on_tick();
}

}

u64 now_ns()
{
    if (g_mult == 0)
        return 0;
    u64 cycles = arch::read_cycle_counter() - g_cycle_base;
    return u64((unsigned __int128)cycles * g_mult >> SCALE_SHIFT);
}

u64 tsc_hz() { return g_cycle_hz; }
u64 ticks() { return g_ticks; }

void busy_wait_ns(u64 ns)
{
    if (g_mult == 0)
        calibrate();
    u64 deadline = now_ns() + ns;
    while (now_ns() < deadline)
        arch::cpu_relax();
}

void calibrate()
{
    if (g_cycle_hz)
        return;
    InterruptsDisabled guard;
    auto hz = arch::measure_cycle_counter_hz();
    if (hz.is_error())
        panic("time: cannot calibrate the TSC against the PIT: %s", hz.error().name());
    // 1e9 << 32 fits in 64 bits (4.3e18), so mult is exact to one part in ~hz.
    g_mult = (NS_PER_S << SCALE_SHIFT) / hz.value();
    g_cycle_hz = hz.value();
    g_cycle_base = arch::read_cycle_counter();
    log_info("time: TSC at %lu.%06lu MHz\n", g_cycle_hz / 1000000, g_cycle_hz % 1000000);
}

void start_tick(void (*on_tick)())
{
    if (g_tick_running) {
        log_warn("time: start_tick called twice; the tick keeps its first callback\n");
        return;
    }
    calibrate();
    g_on_tick = on_tick;
    auto timer = arch::start_tick_timer(TICK_HZ, tick_interrupt);
    if (timer.is_error())
        panic("time: no periodic timer could be started: %s", timer.error().name());
    g_tick_timer = timer.value();
    g_tick_running = true;
    log_info("time: %u Hz tick from the %s\n", TICK_HZ, g_tick_timer.name);
}

char const* tick_source() { return g_tick_timer.name; }
bool tick_running() { return g_tick_running; }
i32 tick_irq_line() { return g_tick_timer.irq_line; }

}
