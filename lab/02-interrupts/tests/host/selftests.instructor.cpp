// The grader's self-tests of lab 2's host checks (instructor-only): each runs the lab's check on
// a purpose-made wrong driver (tests/unit/labs/wrong_uart.instructor.cpp, wrong_irq.instructor.cpp)
// and must fail with the message that names the mistake (tests/kernel/rubric.toml runs them with
// expect_outcome = "fail").
#include <labs/irq_checks.h>
#include <labs/uart_checks.h>
#include <labs/wrong_drivers.instructor.h>

using namespace labtest;

TEST_CASE("self-test: a top half without the IIR loop", "[.selftest_lab2][uart_no_iir_loop]")
{
    check_top_half_serves_every_cause(wrong::uart_no_iir_loop);
}

TEST_CASE("self-test: THRE never enabled", "[.selftest_lab2][uart_thre_never_enabled]")
{
    check_thre_enabled_while_queued(wrong::uart_thre_never_enabled);
}

TEST_CASE("self-test: THRE left enabled", "[.selftest_lab2][uart_thre_left_enabled]")
{
    check_thre_disabled_when_empty(wrong::uart_thre_left_enabled);
}

TEST_CASE("self-test: an IIR spinner", "[.selftest_lab2][uart_iir_spinner]")
{
    check_queue_tx_does_not_wait(wrong::uart_iir_spinner);
}

TEST_CASE("self-test: an overrun read from LSR and dropped", "[.selftest_lab2][uart_overrun_ignored]")
{
    check_overrun_counted(wrong::uart_overrun_ignored);
}

TEST_CASE("self-test: no EOI at all (the timer's line goes first)", "[.selftest_lab2][pic_no_eoi]")
{
    arch::Pic8259& chip = wrong::pic_no_eoi();
    check_eoi_reopens_line(chip, 0);
    check_eoi_reopens_line(chip, 4);
}

TEST_CASE("self-test: an EOI for the timer's line only", "[.selftest_lab2][pic_eoi_timer_only]")
{
    arch::Pic8259& chip = wrong::pic_eoi_timer_only();
    check_eoi_reopens_line(chip, 0);
    check_eoi_reopens_line(chip, 4);
}

TEST_CASE("self-test: the slave's EOI missing", "[.selftest_lab2][pic_master_eoi_only]")
{
    check_eoi_reopens_line(wrong::pic_master_eoi_only(), 14);
}

TEST_CASE("self-test: the slave's EOI after the master's", "[.selftest_lab2][pic_master_eoi_first]")
{
    check_eoi_reopens_line(wrong::pic_master_eoi_first(), 14);
}

TEST_CASE("self-test: a dispatch without the EOI", "[.selftest_lab2][dispatch_without_eoi]")
{
    check_dispatch_sends_eoi(wrong::dispatch_without_eoi);
}
