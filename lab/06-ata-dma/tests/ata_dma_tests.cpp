// Lab 6 tests: the ATA driver in dma mode. The grader makes a fresh disk image for every run,
// picks what to write and read, and checks the image afterwards (lab/grader/harness/
// disk_plan.py); these tests only move the bytes and report. README.md explains each one.
#include <drivers/ata.h>
#include <kernel/test.h>
#include <kernel/test_disk.h>
#include <kstd/string.h>

namespace {

// The plan's disk exists and its channel runs in dma mode.
ErrorOr<void> disk_in_dma_mode(test_disk::Plan const& plan)
{
    auto disk = ata::disk_info(StringView(plan.device));
    if (disk.is_error())
        return ktest::fail(__FILE__, __LINE__, "no disk %s: did IDENTIFY find the disk? (boot log)", plan.device);
    if (!(StringView(disk.value().mode) == StringView("dma")))
        return ktest::fail(__FILE__, __LINE__, "%s is in %s mode, this lab tests dma", plan.device, disk.value().mode);
    return {};
}

}

KTEST(ata_dma_transfers, 6)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_dma_mode));
    return {};
}

KTEST(ata_dma_mechanism, 6)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_dma_mode));
    return {};
}

KTEST(ata_dma_errors, 6)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_dma_mode));
    return {};
}
