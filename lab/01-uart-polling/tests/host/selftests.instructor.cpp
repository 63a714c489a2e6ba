// The grader's self-tests of lab 1's host checks (instructor-only): each runs the lab's check on
// a purpose-made wrong driver (tests/unit/labs/wrong_uart.instructor.cpp) and must fail with the
// message that names the mistake (tests/kernel/rubric.toml runs them with expect_outcome = "fail").
#include <labs/uart_checks.h>
#include <labs/wrong_drivers.instructor.h>

using namespace labtest;

TEST_CASE("self-test: init that clears the FIFO fails lab 1's init check", "[.selftest_lab1][uart_init_clears_fifo]")
{
    check_init_keeps_received_bytes(wrong::uart_init_clears_fifo);
}

TEST_CASE("self-test: getc without DR fails lab 1's getc check", "[.selftest_lab1][uart_getc_without_dr]")
{
    check_getc_waits_for_dr(wrong::uart_getc_without_dr);
}

TEST_CASE("self-test: putc without THRE fails lab 1's putc check", "[.selftest_lab1][uart_putc_without_thre]")
{
    check_putc_waits_for_thre(wrong::uart_putc_without_thre);
}
