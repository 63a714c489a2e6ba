// Grader self-tests of the disk checks (never in a handout): runs the grader's disk plan with
// whatever driver `selftest.wrong=` booted, and passes whatever happens, so that only the
// host's checks judge the run (the INSTRUCTOR block of tests/kernel/rubric.toml expects them to
// fail, naming the wrong driver's bug).
#include <kernel/test.h>
#include <kernel/test_disk.h>

KTEST(ata_selftest_plan, SELFTEST_SUITE)
{
    auto plan = test_disk::load_plan();
    if (plan.is_error())
        return {};
    test_disk::trace_mark("disk-begin");
    (void)test_disk::run_plan(plan.value());
    test_disk::trace_mark("disk-end");
    return {};
}
