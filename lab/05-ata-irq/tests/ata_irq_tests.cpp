// Lab 5 tests: the ATA driver in irq mode. The grader makes a fresh disk image for every run,
// picks what to write and read, and checks the image afterwards (lab/grader/harness/
// disk_plan.py); these tests only move the bytes and report. README.md explains each one.
#include <drivers/ata.h>
#include <kernel/test.h>
#include <kernel/block/partition.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/thread.h>
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

namespace {

struct Counter {
    u64 volatile count { 0 };
    bool volatile stop { false };
};

void count_while_running(void* context)
{
    auto& counter = *static_cast<Counter*>(context);
    while (!counter.stop)
        counter.count = counter.count + 1;
}

}

// The lecture's point about interrupts: the thread that asked for the data sleeps until the
// last sector's interrupt. A thread of lower priority counts meanwhile; it only gets the CPU
// if the reader really sleeps (a reader that polls, at higher priority, never lets it run).
KTEST(ata_irq_caller_sleeps, 5)
{
    auto plan = EXPECT_OK(test_disk::load_plan());
    EXPECT_OK(disk_in_irq_mode(plan));
    EXPECT_MSG(plan.count >= 1 && plan.steps[0].kind == test_disk::StepKind::Read, "the plan has no read");
    test_disk::Step const& step = plan.steps[0];
    auto device = EXPECT_OK(blockdev::find(StringView(plan.device)));
    auto* buffer = static_cast<u8*>(mm::kmalloc(usize(step.sectors) * 512, 4096));
    EXPECT(buffer);
    Counter counter;
    auto* thread = EXPECT_OK(sched::spawn("counter", count_while_running, &counter, sched::PRIORITY_DEFAULT - 8));
    u64 before = counter.count;
    auto read = blockdev::read_sync(*device, step.lba, Bytes(buffer, usize(step.sectors) * 512));
    u64 during = counter.count - before;
    counter.stop = true;
    (void)sched::join(thread);
    test_disk::report(step, read, read.is_error() ? 0 : block::crc32(Bytes(buffer, usize(step.sectors) * 512)));
    mm::kfree(buffer);
    EXPECT_MSG(!read.is_error(), "the read failed: %s", read.is_error() ? read.error().name() : "");
    ktest::note("a lower-priority thread counted to %lu while %u sectors were read", during, step.sectors);
    EXPECT_MSG(during >= 1000, "a lower-priority thread counted only to %lu while %u sectors were read: the "
               "reader did not sleep (is it polling the status register instead of waiting for the interrupt?)",
               during, step.sectors);
    return {};
}
