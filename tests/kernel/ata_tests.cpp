// The ATA driver's own tests (not a lab): data in every mode checked by the host, the devices a
// channel may hold (none, a CD-ROM, a slave without a master), partitions, a request that never
// completes, and the monitor commands. tests/kernel/rubric.toml says how each run is set up.
#include <drivers/ata.h>
#include <kernel/block/partition.h>
#include <kernel/bus/pci.h>
#include <kernel/cmdline.h>
#include <kernel/io/dma.h>
#include <kernel/kernel.h>
#include <kernel/mm/heap.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/test_disk.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>

namespace {

// The plan's disk runs in the mode the command line asked for.
ErrorOr<void> disk_in_requested_mode(test_disk::Plan const& plan)
{
    auto wanted = kernel_cmdline().get("ata.mode");
    auto disk = ata::disk_info(StringView(plan.device));
    if (disk.is_error())
        return ktest::fail(__FILE__, __LINE__, "no disk %s", plan.device);
    if (wanted.has_value() && !(*wanted == StringView(disk.value().mode)))
        return ktest::fail(__FILE__, __LINE__, "%s runs in %s mode, not %.*s", plan.device, disk.value().mode,
                           int(wanted->length()), wanted->characters());
    return {};
}

}

// 16 MiB written at places the host picks, and host-written data read back, in each mode.
KTEST(ata_data_16m, CORE_SUITE)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_requested_mode));
    return {};
}

// The other controllers the driver's ID table names: a PIIX4 on the course machine, and machine
// pc's own PIIX3 (function 1 of its ISA bridge, the boot CD on its secondary channel).
KTEST(ata_piix4, CORE_SUITE)
{
    EXPECT_MSG(pci::find_id(0x8086, 0x7111) != nullptr, "no PIIX4 IDE function (8086:7111) was enumerated");
    EXPECT_OK(test_disk::run_plan_test(disk_in_requested_mode));
    return {};
}

KTEST(ata_machine_pc, CORE_SUITE)
{
    EXPECT_OK(test_disk::run_plan_test(disk_in_requested_mode));
    return {};
}

namespace {

// What probing found is in the boot log (the rubric checks those lines); here: the disk the
// plan names exists and works, or, without a plan, there is no disk at all.
ErrorOr<void> probe_check()
{
    auto plan = test_disk::load_plan();
    if (plan.is_error()) {
        EXPECT_MSG(ata::disk_info("hda").is_error() && ata::disk_info("hdb").is_error(),
                   "a disk was found on a channel without disks");
        return {};
    }
    EXPECT_OK(test_disk::run_plan_test(disk_in_requested_mode));
    return {};
}

}

KTEST(ata_probe_cdrom, CORE_SUITE) { return probe_check(); }
KTEST(ata_probe_no_disk, CORE_SUITE) { return probe_check(); }
KTEST(ata_probe_slave_only, CORE_SUITE) { return probe_check(); }

namespace {

// The MBR or GPT the host wrote (start 2048, 4096 sectors; then from 6144 on) as hda1, hda2,
// and hda2's first sector is hda's sector 6144.
ErrorOr<void> partitions_check()
{
    auto plan = EXPECT_OK(test_disk::load_plan());
    auto first = EXPECT_OK(blockdev::find("hda1"));
    auto second = EXPECT_OK(blockdev::find("hda2"));
    auto disk = EXPECT_OK(blockdev::find("hda"));
    EXPECT_EQ(first->sector_count(), 4096u);
    EXPECT_MSG(second->sector_count() > 0 && second->sector_count() <= plan.capacity - 6144,
               "hda2 has %lu sectors on a disk of %lu", second->sector_count(), plan.capacity);
    auto* a = static_cast<u8*>(mm::kmalloc(1024, 16));
    EXPECT(a);
    u8* b = a + 512;
    auto read_a = blockdev::read_sync(*second, 0, Bytes(a, 512));
    auto read_b = blockdev::read_sync(*disk, 6144, Bytes(b, 512));
    bool same = memcmp(a, b, 512) == 0;
    mm::kfree(a);
    EXPECT(!read_a.is_error() && !read_b.is_error());
    EXPECT_MSG(same, "hda2's sector 0 is not hda's sector 6144");
    EXPECT_ERROR(blockdev::read_sync(*first, 4096, Bytes()), EINVAL);
    return {};
}

}

KTEST(ata_partitions_mbr, CORE_SUITE) { return partitions_check(); }
KTEST(ata_partitions_gpt, CORE_SUITE) { return partitions_check(); }

// A request the disk never completes (the host throttles the drive to a standstill: the first
// read after that passes and fills the throttle's bucket, the next one waits for minutes):
// the driver gives up after ata.timeout_ms, resets the channel, and the next request (the
// host lifts the throttle when it sees "ata-timed-out") works.
KTEST(ata_timeout_recovers, CORE_SUITE)
{
    auto plan = EXPECT_OK(test_disk::load_plan());
    EXPECT_OK(disk_in_requested_mode(plan));
    EXPECT(plan.count >= 2 && plan.steps[0].kind == test_disk::StepKind::Read);
    auto device = EXPECT_OK(blockdev::find(StringView(plan.device)));
    auto* buffer = static_cast<u8*>(mm::kmalloc(64 * 512, 4096));
    EXPECT(buffer);
    u64 live_mappings = io::dma_stats().live_mappings;
    u64 errors_before = device->block_stats().errors;
    auto read = [&](test_disk::Step const& s) {
        Bytes data(buffer, usize(s.sectors) * 512);
        return blockdev::read_sync(*device, s.lba, data);
    };
    auto reported = [&](test_disk::Step const& s) {
        auto result = read(s);
        test_disk::report(s, result, result.is_error() ? 0 : block::crc32(Bytes(buffer, usize(s.sectors) * 512)));
        return result;
    };
    diag_print("@@CONDUIT ata-throttle-me nonce=%s\n", ktest::nonce());
    time::busy_wait_ns(500'000'000);   // the host's monitor acts on the line
    auto warm_up = reported(plan.steps[0]);
    auto stuck = read(plan.steps[0]);
    diag_print("@@CONDUIT ata-timed-out nonce=%s\n", ktest::nonce());
    auto after = reported(plan.steps[1]);
    sched::sleep_for(1'000'000'000);   // the host's monitor finishes its last command before QEMU exits
    auto info = ata::disk_info(StringView(plan.device));
    mm::kfree(buffer);
    EXPECT_MSG(!warm_up.is_error(), "the first read failed: %s", warm_up.is_error() ? warm_up.error().name() : "");
    EXPECT_MSG(stuck.is_error() && stuck.error().code() == ETIMEDOUT, "the stalled read ended with %s, not ETIMEDOUT",
               stuck.is_error() ? stuck.error().name() : "success");
    EXPECT_MSG(!after.is_error(), "the read after the reset failed: %s", after.is_error() ? after.error().name() : "");
    EXPECT(!info.is_error() && info.value().stats.timeouts == 1);
    // The stalled request completed once, with its error, and left nothing behind.
    dev::BlockStats stats = device->block_stats();
    EXPECT_MSG(stats.in_flight == 0, "%u request(s) still in flight after the recovery", stats.in_flight);
    EXPECT_MSG(stats.errors - errors_before == 1, "%lu requests completed with an error, expected the stalled one",
               stats.errors - errors_before);
    u64 left = io::dma_stats().live_mappings - live_mappings;
    EXPECT_MSG(left == 0, "%lu DMA mapping(s) left live by the timed-out command", left);
    return {};
}

// The monitor commands print what the rubric expects (disks, partitions, channels, a sector).
KTEST(ata_monitor_commands, CORE_SUITE)
{
    for (char const* line : { "disks", "partitions", "ata", "sector hda 0", "sector nosuchdisk 0" })
        EXPECT_MSG(monitor::execute(StringView(line)), "the monitor does not know \"%s\"", line);
    return {};
}
