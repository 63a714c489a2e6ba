// Lab 5 tests: the ATA driver in irq mode. The grader makes a fresh disk image for every run,
// picks what to write and read, and checks the image afterwards (lab/grader/harness/
// disk_plan.py); these tests only move the bytes and report. README.md explains each one.
#include <drivers/ata.h>
#include <kernel/test.h>
#include <kernel/test_disk.h>
#include <kstd/string.h>

namespace {

// The plan's disk exists and its channel runs in irq mode.
ErrorOr<void> disk_in_irq_mode(test_disk::Plan const& plan)
{
    auto disk = ata::disk_info(StringView(plan.device));
    if (disk.is_error())
        return ktest::fail(__FILE__, __LINE__, "no disk %s: did IDENTIFY find the disk? (boot log)", plan.device);
    if (!(StringView(disk.value().mode) == StringView("irq")))
        return ktest::fail(__FILE__, __LINE__, "%s is in %s mode, this lab tests irq", plan.device, disk.value().mode);
    return {};
}

}

KTEST(ata_irq_transfers, 5)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_irq_mode));
    return {};
}

KTEST(ata_irq_mechanism, 5)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_irq_mode));
    return {};
}

KTEST(ata_irq_errors, 5)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_irq_mode));
    return {};
}
