// The kernel's clock (include/kernel/time/clock.h) on the host: the models' simulated time.
// This file includes no C++ library header: the kernel's `namespace time` and the C library's
// time() cannot meet in one translation unit. (So a test that includes catch.hpp reads the time
// through models::clock(), never time::now_ns().)
#include <kernel/time/clock.h>

namespace models {
u64 clock_now_ns();
void clock_spend_ns(u64 ns);
}

u64 time::now_ns() { return models::clock_now_ns(); }
void time::busy_wait_ns(u64 ns) { models::clock_spend_ns(ns); }
u64 time::tsc_hz() { return 1'000'000'000; }
// The PIT's line in PIC mode: what the lab 2 handout's tick-only stand-ins look for.
i32 time::tick_irq_line() { return 0; }
u64 time::ticks() { return models::clock_now_ns() / (time::NS_PER_S / time::TICK_HZ); }
