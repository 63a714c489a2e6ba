#pragma once
// panic(): for broken invariants only (docs/style.md, "Errors"). Prints the message, the registers when
// an exception caused it, a symbolized backtrace and the grader's panic marker, then exits QEMU
// with the panic status (37).
#include <arch/interrupts.h>

[[noreturn]] void panic(char const* fmt, ...) __attribute__((format(printf, 1, 2)));
[[noreturn]] void panic_from_exception(arch::InterruptFrame const& frame, char const* fmt, ...)
    __attribute__((format(printf, 2, 3)));

// Set by the test runner so the panic marker carries the run's nonce.
void set_panic_nonce(char const* nonce);
