// Grader self-tests of the disk checks (never in a handout): runs the grader's disk plan with
// whatever driver `selftest.wrong=` booted, and passes whatever happens, so that only the
// host's checks judge the run (the INSTRUCTOR block of tests/kernel/rubric.toml expects them to
// fail, naming the wrong driver's bug).
#include <kernel/test.h>
#include <kernel/test_disk.h>

namespace {

ErrorOr<void> run_whatever_happens()
{
    auto plan = test_disk::load_plan();
    if (plan.is_error())
        return {};
    test_disk::trace_mark("disk-begin");
    (void)test_disk::run_plan(plan.value());
    test_disk::trace_mark("disk-end");
    return {};
}

}

KTEST(ata_selftest_plan, SELFTEST_SUITE) { return run_whatever_happens(); }
KTEST(ata_selftest_no_bsy_wait, SELFTEST_SUITE) { return run_whatever_happens(); }
KTEST(ata_selftest_drq_ignored, SELFTEST_SUITE) { return run_whatever_happens(); }
KTEST(ata_selftest_irq_polls, SELFTEST_SUITE) { return run_whatever_happens(); }
KTEST(ata_selftest_no_bus_master, SELFTEST_SUITE) { return run_whatever_happens(); }
