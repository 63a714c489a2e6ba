// Lab 4 tests: the ATA driver in pio mode. The grader makes a fresh disk image for every run,
// picks what to write and read, and checks the image afterwards (lab/grader/harness/
// disk_plan.py); these tests only move the bytes and report. README.md explains each one.
#include <drivers/ata.h>
#include <kernel/test.h>
#include <kernel/test_disk.h>
#include <kstd/string.h>

namespace {

// The plan's disk exists and its channel runs in pio mode.
ErrorOr<void> disk_in_pio_mode(test_disk::Plan const& plan)
{
    auto disk = ata::disk_info(StringView(plan.device));
    if (disk.is_error())
        return ktest::fail(__FILE__, __LINE__, "no disk %s: did IDENTIFY find the disk? (boot log)", plan.device);
    if (!(StringView(disk.value().mode) == StringView("pio")))
        return ktest::fail(__FILE__, __LINE__, "%s is in %s mode, this lab tests pio", plan.device, disk.value().mode);
    return {};
}

}

KTEST(ata_pio_identify, 4)
{
    auto plan = EXPECT_OK(test_disk::load_plan());
    EXPECT_OK(disk_in_pio_mode(plan));
    auto disk = EXPECT_OK(ata::disk_info(StringView(plan.device)));
    EXPECT_MSG(disk.sectors == plan.capacity, "IDENTIFY says %lu sectors; the disk has %lu (words 100-103 with "
               "LBA48, 60-61 without)", disk.sectors, plan.capacity);
    EXPECT_MSG(StringView(disk.model) == StringView("QEMU HARDDISK"), "the model is \"%s\", not \"QEMU HARDDISK\" "
               "(words 27-46: two characters per word, high byte first)", disk.model);
    EXPECT_MSG(disk.serial[0] != '\0', "the serial number (words 10-19) is empty");
    EXPECT_MSG(disk.lba48, "the disk supports LBA48 (word 83 bit 10) but the driver says it does not");
    return {};
}

KTEST(ata_pio_transfers, 4)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_pio_mode));
    return {};
}

KTEST(ata_pio_mechanism, 4)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_pio_mode));
    return {};
}

KTEST(ata_pio_lba48, 4)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_pio_mode));
    return {};
}

KTEST(ata_pio_errors, 4)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_pio_mode));
    return {};
}
