#pragma once
// Time: the monotonic clock and the periodic tick.
//
// The clock is the TSC, calibrated at boot against the PIT over a long window (>= 50 ms), so it
// keeps correct time even when TCG loses ticks while the CPU is busy: never keep time by
// counting ticks (qemu-platform-facts.md section 7). The tick (PIT, or the LAPIC timer when the
// APIC is in use) drives preemption and expires timers.
#include <kstd/error.h>
#include <kstd/types.h>

namespace time {

inline constexpr u64 NS_PER_US = 1000;
inline constexpr u64 NS_PER_MS = 1000 * 1000;
inline constexpr u64 NS_PER_S = 1000 * 1000 * 1000;

// Tick rate of the periodic timer interrupt.
inline constexpr u32 TICK_HZ = 1000;

// Nanoseconds since the clock was calibrated. Monotonic. Context: any.
u64 now_ns();
// Calibrated TSC frequency in Hz (0 before calibration).
u64 tsc_hz();
// Ticks delivered so far (statistics only: ticks are lost under TCG).
u64 ticks();

// Busy-waits for `ns` nanoseconds on the calibrated clock (for short device delays).
void busy_wait_ns(u64 ns);

// Calibrates the TSC against the PIT (interrupts off). Called once from kernel_main.
void calibrate();

// Starts the periodic tick on the selected interrupt controller (PIT on the PIC; the LAPIC timer,
// calibrated against the TSC, on the APIC) and calls `on_tick` from the timer interrupt.
// Context: boot, after the IRQ core is up.
void start_tick(void (*on_tick)());

// What delivers the tick ("PIT", "LAPIC timer"; "none" before start_tick).
char const* tick_source();
bool tick_running();
// The IrqChip line the tick arrives on when it comes through the interrupt controller (the
// PIT: line isa_irq_to_line(0)), or -1 when it has a CPU vector of its own (LAPIC timer).
i32 tick_irq_line();
}

// --- the architecture's half (arch/x86_64/time); only kernel/time calls these ----------------
namespace arch {

struct TickTimer {
    char const* name;
    i32 irq_line;   // as time::tick_irq_line()
};

// The free-running cycle counter the clock is built on (x86: RDTSC). Context: any.
u64 read_cycle_counter();
// Measures the cycle counter's rate against a reference of known frequency (x86: PIT channel 2,
// median of several 10 ms windows). ENODEV without a usable counter, ETIMEDOUT when the
// reference never finishes. Context: boot, interrupts disabled.
[[nodiscard]] ErrorOr<u64> measure_cycle_counter_hz();
// Starts a periodic interrupt at `hz` that calls `handler` (Context inside: IRQ). Picks the
// LAPIC timer in APIC mode (unless `tick=pit`), else the PIT through the IRQ core.
// Context: boot, after init_irqchip and time::calibrate.
[[nodiscard]] ErrorOr<TickTimer> start_tick_timer(u32 hz, void (*handler)());

}
