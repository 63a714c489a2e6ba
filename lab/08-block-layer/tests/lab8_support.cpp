// Lab 8 in-kernel test support (lab8_support.h).
#include "lab8_support.h"
#include <kernel/cmdline.h>
#include <kernel/dev/builtin.h>
#include <kernel/kernel.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace lab8 {

namespace {

constexpr u32 SECTOR = 512;
constexpr u64 TEXTBOOK[8] = { 98, 183, 37, 122, 14, 124, 65, 67 };
constexpr u64 FIFO_ORDER[8] = { 98, 183, 37, 122, 14, 124, 65, 67 };

struct Waiter {
    sched::Semaphore done { 0 };
};

}

ErrorOr<BlockDevice*> ram0()
{
    dev::init_builtin_devices();
    auto found = blockdev::find("ram0");
    if (found.is_error())
        return ktest::fail(__FILE__, __LINE__, "no ram0");
    return &*found.value();
}

ErrorOr<BlockDevice*> order_disk()
{
    dev::init_builtin_devices();
    kstd::StringView name = kernel_cmdline().get(kstd::StringView("lab8.disk")).value_or(kstd::StringView("ram0"));
    char text[16];
    kstd::copy_string(text, sizeof(text), name);
    auto found = blockdev::find(text);
    if (found.is_error())
        return ktest::fail(__FILE__, __LINE__, "no block device %s (lab8.disk=)", text);
    return &*found.value();
}

ErrorOr<Served> serve_textbook(BlockDevice& disk, char const* scheduler)
{
    static u8 buffers[9][SECTOR];
    static BlockRequest requests[8];
    static Waiter waiters[8];
    EXPECT_OK(block::set_scheduler(disk, "fifo"));
    EXPECT_OK(blockdev::read_sync(disk, 52, buffers[8]));   // the head is now at 53
    EXPECT_OK(block::set_scheduler(disk, scheduler));       // a fresh sweep, going up
    block::reset_queue_stats(disk);
    block::plug(disk);
    for (usize i = 0; i < 8; ++i) {
        requests[i].op = BlockOp::Read;
        requests[i].sector = TEXTBOOK[i];
        requests[i].count = 1;
        requests[i].buffer = Bytes(buffers[i], SECTOR);
        Waiter* waiter = &waiters[i];
        requests[i].on_complete = [waiter](BlockRequest&) { waiter->done.up(); };
        if (auto submitted = blockdev::submit(disk, requests[i]); submitted.is_error()) {
            block::unplug(disk);
            return submitted.release_error();
        }
    }
    block::unplug(disk);
    for (auto& waiter : waiters)
        EXPECT_OK(waiter.done.down_timeout(5 * time::NS_PER_S));
    Served served {};
    block::CommandRecord records[8];
    served.count = block::recent_commands(disk, records, 8);
    served.seek = block::queue_stats(disk).seek_distance;
    usize used = 0;
    for (usize i = 0; i < served.count; ++i) {
        served.order[i] = records[i].sector;
        used += kstd::snprintf(served.text + used, sizeof(served.text) - used, "%s%lu", i ? " " : "", records[i].sector);
    }
    EXPECT_OK(block::set_scheduler(disk, "deadline"));
    return served;
}

ErrorOr<void> expect_order(Served const& served, u64 const (&expected)[8], char const* what)
{
    EXPECT_MSG(served.count == 8, "%s: the driver saw %zu commands for 8 requests", what, served.count);
    bool same = true, fifo = true;
    for (usize i = 0; i < 8; ++i) {
        same = same && served.order[i] == expected[i];
        fifo = fifo && served.order[i] == FIFO_ORDER[i];
    }
    EXPECT_MSG(same, "%s: the driver saw %s%s", what, served.text,
        fifo ? ": that is arrival order (fifo), the stub's, the choice ignores the sectors" : "");
    return {};
}

}

namespace lab8 {

namespace {

constexpr u64 STREAM_BASE = 4096;   // the writes start in the middle of ram0
constexpr u64 GROUP_SECTORS = 64;   // four writes of 8 sectors, 8 apart, per group

// The writer: groups of four writes just ahead of the head, each group submitted in descending
// order while the disk is plugged, at most two groups in flight.
struct WriteStream {
    BlockDevice* ram { nullptr };
    BlockRequest requests[2][4];
    u8 buffers[2][4][8 * SECTOR];
    u32 volatile remaining[2] {};
    sched::Semaphore slot_free[2] { sched::Semaphore(1), sched::Semaphore(1) };
    u32 volatile groups { 0 };
    bool volatile stop { false };
};

void finish_write(WriteStream& stream, usize slot)
{
    if (__atomic_sub_fetch(&stream.remaining[slot], 1, __ATOMIC_RELAXED) == 0)
        stream.slot_free[slot].up();
}

void submit_group(WriteStream& stream, usize slot, u64 base)
{
    stream.remaining[slot] = 4;
    block::plug(*stream.ram);
    for (usize k = 0; k < 4; ++k) {
        BlockRequest& request = stream.requests[slot][k];
        request.op = BlockOp::Write;
        request.sector = base + 48 - 16 * k;   // 48, 32, 16, 0: arrival order is descending
        request.count = 8;
        request.buffer = Bytes(stream.buffers[slot][k], 8 * SECTOR);
        WriteStream* owner = &stream;
        request.on_complete = [owner, slot](BlockRequest&) { finish_write(*owner, slot); };
        if (blockdev::submit(*stream.ram, request).is_error())
            finish_write(stream, slot);
    }
    block::unplug(*stream.ram);
}

void write_stream(void* arg)
{
    auto& stream = *static_cast<WriteStream*>(arg);
    for (u64 group = 0;; ++group) {
        u64 base = STREAM_BASE + group * GROUP_SECTORS;
        if (stream.stop || base + GROUP_SECTORS > stream.ram->sector_count())
            break;
        usize slot = group % 2;
        if (stream.slot_free[slot].down_timeout(5 * time::NS_PER_S).is_error())
            break;
        submit_group(stream, slot, base);
        stream.groups = u32(group + 1);
    }
    for (auto& free : stream.slot_free)   // wait for the writes in flight
        (void)free.down_timeout(5 * time::NS_PER_S);
}

StreamResult analyse(BlockDevice& ram, u64 read_submitted, u64 read_deadline)
{
    static block::CommandRecord records[block::RequestQueue::LOG_SIZE];
    usize count = block::recent_commands(ram, records, block::RequestQueue::LOG_SIZE);
    StreamResult result {};
    for (usize i = 0; i < count; ++i) {
        if (records[i].op == BlockOp::Read && records[i].sector == 0) {
            result.read_found = true;
            result.read_latency_ns = records[i].dispatched_ns - read_submitted;
            for (usize j = 0; j < i; ++j) {
                result.late_commands += records[j].dispatched_ns >= read_deadline;
                result.writes_meanwhile += records[j].dispatched_ns >= read_submitted;
            }
            break;
        }
    }
    for (usize i = 0; i + 1 < count; ++i) {
        block::CommandRecord const& a = records[i];
        block::CommandRecord const& b = records[i + 1];
        bool same_group = a.op == BlockOp::Write && b.op == BlockOp::Write
            && (a.sector - STREAM_BASE) / GROUP_SECTORS == (b.sector - STREAM_BASE) / GROUP_SECTORS;
        result.descending_pairs += same_group && b.sector < a.sector;
    }
    return result;
}

}

ErrorOr<StreamResult> read_under_write_stream(BlockDevice& ram, char const* scheduler, u64 read_expire_ns)
{
    static WriteStream stream;
    static u8 read_buffer[8 * SECTOR];
    stream.ram = &ram;
    stream.stop = false;
    stream.groups = 0;
    EXPECT(ram.sector_count() >= STREAM_BASE + 16 * GROUP_SECTORS);
    EXPECT_OK(block::set_scheduler(ram, "fifo"));
    EXPECT_OK(blockdev::read_sync(ram, STREAM_BASE - 8, Bytes(read_buffer, 8 * SECTOR)));   // head at the stream
    drivers::ramdisk::set_timing({ .seek_base_ns = time::NS_PER_MS, .seek_full_ns = 8 * time::NS_PER_MS,
        .per_sector_ns = 100 * time::NS_PER_US });
    EXPECT_OK(block::set_scheduler(ram, scheduler));
    block::set_expiry(ram, read_expire_ns, block::DEFAULT_WRITE_EXPIRE_NS);
    block::reset_queue_stats(ram);
    sched::Thread* writer = EXPECT_OK(sched::spawn("lab8-writer", write_stream, &stream));
    while (stream.groups < 3)
        sched::sleep_for(time::NS_PER_MS);
    // Static: should the read still be queued when the test gives up, it must outlive the test.
    static sched::Semaphore read_done(0);
    static BlockRequest read;
    read.op = BlockOp::Read;
    read.sector = 0;
    read.count = 8;
    read.buffer = Bytes(read_buffer, 8 * SECTOR);
    read.on_complete = [](BlockRequest&) { read_done.up(); };
    u64 submitted = time::now_ns();
    auto queued = blockdev::submit(ram, read);
    auto finished = queued.is_error() ? ErrorOr<void>(queued.release_error()) : read_done.down_timeout(10 * time::NS_PER_S);
    stream.stop = true;
    (void)sched::join(writer);
    if (!queued.is_error() && finished.is_error())
        (void)read_done.down_timeout(10 * time::NS_PER_S);   // the stream has ended: it goes now
    drivers::ramdisk::set_timing({});
    block::set_expiry(ram, block::DEFAULT_READ_EXPIRE_NS, block::DEFAULT_WRITE_EXPIRE_NS);
    EXPECT_OK(block::set_scheduler(ram, "deadline"));
    EXPECT_OK(kstd::move(finished));
    return analyse(ram, submitted, submitted + read_expire_ns);
}

}
