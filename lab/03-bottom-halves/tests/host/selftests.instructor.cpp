// The grader's self-tests of lab 3's host checks (instructor-only): each runs the lab's check on
// purpose-made wrong halves (tests/unit/labs/wrong_keyboard.instructor.cpp) and must fail with
// the message that names the mistake (tests/kernel/rubric.toml runs them with
// expect_outcome = "fail").
#include <labs/kbd_checks.h>
#include <labs/wrong_drivers.instructor.h>

using namespace labtest;

TEST_CASE("self-test: a top half that sleeps", "[.selftest_lab3][kbd_top_half_sleeps]")
{
    check_top_half_does_not_sleep(wrong::kbd_top_half_sleeps);
}

TEST_CASE("self-test: a tasklet that sleeps", "[.selftest_lab3][kbd_tasklet_sleeps]")
{
    check_tasklet_does_not_sleep(wrong::kbd_tasklet_sleeps);
}

TEST_CASE("self-test: break codes taken as make codes", "[.selftest_lab3][kbd_break_as_make]")
{
    check_break_codes_are_releases(wrong::kbd_break_as_make);
}

TEST_CASE("self-test: modifier state kept in the top half", "[.selftest_lab3][kbd_modifiers_in_top_half]")
{
    check_modifiers_in_bottom_half(wrong::kbd_modifiers_in_top_half);
}
