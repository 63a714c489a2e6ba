// The ATA benchmark's guest side (tools/bench_ata.py, `make bench-ata`): reads the first
// `ata.bench.mib` MiB of hda sequentially in 1 MiB requests, then writes them, straight through
// the block class (no cache between: what Linux's `dd bs=1M iflag=direct` measures), and
// reports per direction the time the requests took, the channel's interrupts and the CPU's
// busy and idle time meanwhile. The data checks are the host's: the CRC of what was read, and
// the image after the writes (Python's random.Random(seed) bytes, seed `ata.bench.seed`).
#include <drivers/ata.h>
#include <kernel/block/partition.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/mm/heap.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/test_disk.h>
#include <kernel/time/clock.h>

namespace {

constexpr usize REQUEST = 1 * MiB;

struct Sample {
    u64 interrupts;
    u64 busy_ns;
    u64 idle_ns;
};

Sample sample()
{
    auto channel = ata::channel_info(0);
    return { channel.is_error() ? 0 : channel.value().stats.interrupts, sched::busy_ns(), sched::idle_ns() };
}

// Times only the requests: filling and checksumming the buffer are not the driver's cost.
struct Totals {
    u64 ns { 0 };
    u64 interrupts { 0 };
    u64 busy_ns { 0 };
    u64 idle_ns { 0 };

    template<typename Fn>
    ErrorOr<void> timed(Fn request)
    {
        Sample before = sample();
        u64 start = time::now_ns();
        auto result = request();
        ns += time::now_ns() - start;
        Sample after = sample();
        interrupts += after.interrupts - before.interrupts;
        busy_ns += after.busy_ns - before.busy_ns;
        idle_ns += after.idle_ns - before.idle_ns;
        return result;
    }
};

void report(char const* op, char const* mode, u64 bytes, Totals const& t, u32 crc)
{
    diag_print("@@CONDUIT ata_bench op=%s mode=%s bytes=%lu ns=%lu interrupts=%lu busy_ns=%lu idle_ns=%lu crc32=0x%08x\n",
               op, mode, bytes, t.ns, t.interrupts, t.busy_ns, t.idle_ns, crc);
}

}

KTEST(ata_bench, CORE_SUITE)
{
    CommandLine const& cmdline = kernel_cmdline();
    u64 mib = cmdline.get_u64(StringView("ata.bench.mib"), 64);
    u32 seed = u32(cmdline.get_u64(StringView("ata.bench.seed"), 1));
    auto disk = EXPECT_OK(ata::disk_info("hda"));
    auto device = EXPECT_OK(blockdev::find("hda"));
    EXPECT_MSG(device->capacity() >= mib * MiB, "hda has %lu MiB, the benchmark needs %lu", device->capacity() / MiB, mib);
    auto* buffer = static_cast<u8*>(mm::kmalloc(REQUEST, 4096));
    EXPECT(buffer);
    Bytes data(buffer, REQUEST);
    Totals reads, writes;
    u32 crc = 0;
    ErrorOr<void> outcome {};
    for (u64 i = 0; i < mib && !outcome.is_error(); ++i) {
        outcome = reads.timed([&] { return blockdev::read_sync(*device, i * (REQUEST / 512), data); });
        crc = block::crc32(data, crc);
    }
    report("read", disk.mode, mib * MiB, reads, crc);
    test_disk::PythonRandom generator(seed);
    for (u64 i = 0; i < mib && !outcome.is_error(); ++i) {
        generator.fill(buffer, REQUEST);
        outcome = writes.timed([&] { return blockdev::write_sync(*device, i * (REQUEST / 512), data); });
    }
    report("write", disk.mode, mib * MiB, writes, 0);
    if (!outcome.is_error())
        outcome = blockdev::flush_sync(*device);   // durable before the host checks; not timed, as dd without fsync
    mm::kfree(buffer);
    EXPECT_MSG(!outcome.is_error(), "a benchmark request failed: %s", outcome.is_error() ? outcome.error().name() : "");
    return {};
}
