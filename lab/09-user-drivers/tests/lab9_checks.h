#pragma once
// The bodies of lab 9's tests, shared with the grader's self-tests, which run them against
// purpose-made wrong drivers (tests/kernel/lab9_selftests.instructor.cpp).
#include <kstd/error.h>

namespace lab9 {

// Runs /bin/lab9_ports and turns its first failed check into the test's failure.
ErrorOr<void> check_ports_program();

// Runs /bin/<program> (a uartd) on COM2 until it has echoed lab9.bytes= bytes (default 2,000),
// watching its interrupts; a driver that stops making progress fails with the reason.
ErrorOr<void> check_echo_driver(char const* program);

}
