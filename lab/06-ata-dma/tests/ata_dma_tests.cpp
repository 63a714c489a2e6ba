// Lab 6 tests: the ATA driver in dma mode. The grader makes a fresh disk image for every run,
// picks what to write and read, and checks the image afterwards (lab/grader/harness/
// disk_plan.py); these tests only move the bytes and report. README.md explains each one.
#include <drivers/ata.h>
#include <kernel/test.h>
#include <kernel/block/partition.h>
#include <kernel/io/dma.h>
#include <kernel/bus/pci.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/paging.h>
#include <kstd/utility.h>
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
    u64 live = io::dma_stats().live_mappings;
    EXPECT_OK(test_disk::run_plan_test(disk_in_dma_mode));
    u64 left = io::dma_stats().live_mappings - live;
    EXPECT_MSG(left == 0, "%lu DMA mapping(s) still live after the failed commands: unmap on every path", left);
    return {};
}

namespace {

// The IDE function: tests lower its DMA mask to make ordinary memory "out of reach".
pci::PciDevice* ide_function()
{
    if (auto* piix3 = pci::find_id(0x8086, 0x7010))
        return piix3;
    return pci::find_id(0x8086, 0x7111);
}

}

// A buffer the device cannot reach is bounced, and the data still arrives, both ways. The
// PIIX reaches all of the first 4 GiB; for the test its DMA mask is lowered to 16 MiB, so the
// heap's buffers (above 16 MiB) are out of reach, as memory above 4 GiB is for the real mask.
KTEST(ata_dma_bounce, 6)
{
    auto plan = EXPECT_OK(test_disk::load_plan());
    EXPECT_OK(disk_in_dma_mode(plan));
    auto device = EXPECT_OK(blockdev::find(StringView(plan.device)));
    pci::PciDevice* function = ide_function();
    EXPECT(function);
    auto* buffer = static_cast<u8*>(mm::kmalloc(4096, 4096));
    EXPECT(buffer);
    u64 phys = EXPECT_OK(mm::translate(reinterpret_cast<u64>(buffer)));
    EXPECT_MSG(phys >= 16 * MiB, "the heap buffer is at %#lx, below 16 MiB: nothing to bounce", phys);
    u64 bounced = EXPECT_OK(ata::channel_info(0)).stats.bounced_commands;
    u64 mask = function->dma_mask();
    function->set_dma_mask(16 * MiB - 1);
    ErrorOr<void> outcome {};
    for (usize i = 0; i < plan.count && !outcome.is_error(); ++i) {
        test_disk::Step const& step = plan.steps[i];
        Bytes data(buffer, kstd::min<usize>(usize(step.sectors) * 512, 4096));
        if (step.kind == test_disk::StepKind::Write) {
            test_disk::PythonRandom(step.seed).fill(data.data(), data.size());
            outcome = blockdev::write_sync(*device, step.lba, data);
        } else {
            outcome = blockdev::read_sync(*device, step.lba, data);
        }
        test_disk::report(step, outcome, outcome.is_error() ? 0 : block::crc32(data));
    }
    function->set_dma_mask(mask);
    mm::kfree(buffer);
    EXPECT_MSG(!outcome.is_error(), "I/O with a buffer out of the device's reach failed: %s",
               outcome.is_error() ? outcome.error().name() : "");
    u64 now = EXPECT_OK(ata::channel_info(0)).stats.bounced_commands;
    EXPECT_MSG(now - bounced == plan.count, "%lu of %zu commands with a buffer out of reach were bounced",
               now - bounced, plan.count);
    return {};
}
