#pragma once
// The LAPIC timer (lapic_timer.cpp). Needs the LAPIC up (APIC mode) and the TSC calibrated.
#include <kstd/error.h>
#include <kstd/types.h>

namespace arch::lapic_timer {

// The timer's count rate at divide-by-16, measured against the TSC. ENODEV when the LAPIC is
// not initialised or the counter does not move. Context: boot, interrupts disabled.
[[nodiscard]] ErrorOr<u64> calibrate();

// Calibrates, then runs the timer periodically at `hz` on lapic::TIMER_VECTOR, calling
// `handler` after the EOI. Context: boot.
[[nodiscard]] ErrorOr<void> start_periodic(u32 hz, void (*handler)());

}
