// Grader self-tests of lab 8 (instructor-only): each boots with a purpose-made wrong scheduler
// or cache installed (selftest.wrong=WORD, kernel/block/selftest_variants.instructor.cpp) and
// runs the unchanged lab test, which must fail with the message that names the mistake. Their
// entries in tests/kernel/rubric.toml say which message (expect_outcome = "fail").
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {

ErrorOr<void> run_lab_test(char const* name)
{
    KernelTest const* test = ktest::find(name);
    if (!test)
        return ktest::fail(__FILE__, __LINE__, "no kernel test called %s", name);
    return test->function();
}

}

KTEST(selftest_lab8_elevator_no_turn, SELFTEST_SUITE) { return run_lab_test("lab8_elevator_order"); }
KTEST(selftest_lab8_deadline_ignores_expiry, SELFTEST_SUITE) { return run_lab_test("lab8_deadline_read_bound"); }
KTEST(selftest_lab8_cache_mru, SELFTEST_SUITE) { return run_lab_test("lab8_cache_hit_ratios"); }
KTEST(selftest_lab8_cache_evicts_dirty, SELFTEST_SUITE) { return run_lab_test("lab8_cache_nothing_lost_under_pressure"); }
KTEST(selftest_lab8_cache_skips_writes, SELFTEST_SUITE) { return run_lab_test("lab8_cache_sync_survives_power_cut"); }
