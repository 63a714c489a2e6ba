// The request queue between the block class and the driver (kernel/block): merging into
// scatter-gather commands within the driver's limits, flushes as barriers, a driver's refusal,
// timeouts of queued and dispatched requests, the counters, and choosing the scheduler at boot
// and at run time.
//
// `qtblk` is a 256-sector test disk that records every command it is handed and either completes
// it at once or holds it until the test releases it (a busy disk). Its limits are small on
// purpose (16 sectors, 3 segments per command) so that the limits are visible.
#include <kernel/block/queue.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/builtin.h>
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace dev;

constexpr u32 SECTOR = 512;
constexpr u64 DISK_SECTORS = 256;
constexpr usize LOG_SIZE = 64;

struct Command {
    BlockOp op;
    u64 sector;
    u32 count;
    u32 segments;
};

struct RecordingDisk {
    sched::Spinlock lock { "qtblk" };
    IntrusiveList<BlockRequest, &BlockRequest::queue_link> held;   // Guarded by lock
    bool hold { false };
    int refuse { 0 };
    u32 aborts { 0 };
    Command log[LOG_SIZE] {};
    usize logged { 0 };
    u8 storage[DISK_SECTORS * SECTOR] {};
    BlockDevHandle handle;

    BlockDevice& device() { return *handle.device(); }
    // Completes the oldest held command; false when none is held.
    bool release_one()
    {
        BlockRequest* command;
        {
            sched::SpinlockGuard guard(lock);
            command = held.pop_front();
        }
        if (command)
            blockdev::complete(*command, {});
        return command != nullptr;
    }
};

void transfer(RecordingDisk& disk, BlockRequest& command)
{
    u8* place = disk.storage + command.sector * SECTOR;
    for (usize i = 0; i < command.segment_count(); ++i) {
        BlockSegment segment = command.segment(i);
        if (command.op == BlockOp::Read)
            memcpy(segment.data, place, segment.length);
        else if (command.op == BlockOp::Write)
            memcpy(place, segment.data, segment.length);
        place += segment.length;
    }
}

ErrorOr<void> recording_submit(BlockDevice& device, BlockRequest& command)
{
    auto& disk = *static_cast<RecordingDisk*>(device.data());
    if (disk.logged < LOG_SIZE)
        disk.log[disk.logged] = { command.op, command.sector, command.count, u32(command.segment_count()) };
    ++disk.logged;
    if (disk.refuse)
        return Error::from_errno(disk.refuse);
    transfer(disk, command);
    if (disk.hold) {
        sched::SpinlockGuard guard(disk.lock);
        disk.held.push_back(command);
        return {};
    }
    blockdev::complete(command, {});
    return {};
}

void recording_abort(BlockDevice& device, BlockRequest& command)
{
    auto& disk = *static_cast<RecordingDisk*>(device.data());
    {
        sched::SpinlockGuard guard(disk.lock);
        if (!disk.held.contains(command))
            return;
        disk.held.remove(command);
    }
    ++disk.aborts;
    blockdev::complete(command, Error::from_errno(ETIMEDOUT));
}

constexpr BlockDevOps recording_ops { .driver = "qtblk", .submit = recording_submit, .abort = recording_abort };

ErrorOr<void> register_disk(RecordingDisk& disk)
{
    BlockGeometry geometry { .sector_size = SECTOR, .sector_count = DISK_SECTORS, .max_sectors = 16,
        .max_segments = 3 };
    disk.hold = false;
    disk.refuse = 0;
    disk.aborts = 0;
    disk.logged = 0;
    disk.handle = TRY(register_blockdev("qtblk", 61, 0, recording_ops, geometry, &disk));
    return {};
}

struct Done {
    sched::Semaphore semaphore { 0 };
    u32 calls { 0 };
    int status { -1 };
};

void note_done(Done& done, BlockRequest& request)
{
    ++done.calls;
    done.status = request.result().is_error() ? request.result().error().code() : 0;
    done.semaphore.up();
}

// `count` requests of `sectors` sectors each from `first`, every buffer 1 KiB past the previous
// one's end so that no two buffers are adjacent in memory.
struct Batch {
    static constexpr usize MAX = 16;
    BlockRequest requests[MAX];
    Done done[MAX];
    usize count { 0 };
};

void fill_batch(Batch& batch, BlockOp op, u64 first, u32 sectors, usize count, u8* memory)
{
    batch.count = count;
    for (usize i = 0; i < count; ++i) {
        BlockRequest& request = batch.requests[i];
        request.op = op;
        request.sector = first + i * sectors;
        request.count = sectors;
        request.buffer = Bytes(memory + i * (sectors * SECTOR + 1024), sectors * SECTOR);
        request.segments = {};
        Done* done = &batch.done[i];
        done->calls = 0;
        request.on_complete = [done](BlockRequest& r) { note_done(*done, r); };
    }
}

ErrorOr<void> wait_batch(Batch& batch)
{
    for (usize i = 0; i < batch.count; ++i) {
        EXPECT_OK(batch.done[i].semaphore.down_timeout(time::NS_PER_S));
        EXPECT_EQ(batch.done[i].calls, 1u);
    }
    return {};
}

u8 pattern(usize i, u32 seed) { return u8((i * 131 + seed * 7) >> 3); }

}

KTEST(block_queue_merges_within_driver_limits, CORE_SUITE)
{
    static RecordingDisk disk;
    static u8 memory[16 * (4 * SECTOR + 1024)];
    static Batch batch;
    EXPECT_OK(register_disk(disk));
    BlockDevice& device = disk.device();
    for (usize i = 0; i < sizeof(memory); ++i)
        memory[i] = pattern(i, 1);
    // Twelve adjacent 4-sector writes (buffers apart), submitted while plugged: 48 sectors. The
    // limits (16 sectors, 3 segments) make that four commands of three requests each.
    block::reset_queue_stats(device);
    fill_batch(batch, BlockOp::Write, 8, 4, 12, memory);
    block::plug(device);
    for (usize i = 0; i < batch.count; ++i)
        EXPECT_OK(blockdev::submit(device, batch.requests[i]));
    EXPECT_EQ(disk.logged, 0u);   // plugged: nothing reached the driver
    EXPECT_EQ(block::queue_stats(device).depth, 12u);
    block::unplug(device);
    TRY(wait_batch(batch));
    EXPECT_EQ(disk.logged, 4u);
    for (usize i = 0; i < 4; ++i) {
        EXPECT_EQ(disk.log[i].op, BlockOp::Write);
        EXPECT_EQ(disk.log[i].sector, 8 + 12 * i);
        EXPECT_EQ(disk.log[i].count, 12u);
        EXPECT_EQ(disk.log[i].segments, 3u);
    }
    block::QueueStats stats = block::queue_stats(device);
    EXPECT_EQ(stats.submitted, 12u);
    EXPECT_EQ(stats.merges, 8u);
    EXPECT_EQ(stats.commands, 4u);
    EXPECT_EQ(stats.sectors_written, 48u);
    EXPECT_EQ(stats.max_depth, 12u);
    EXPECT_EQ(stats.depth, 0u);
    EXPECT_EQ(stats.write.count, 12u);
    // Every byte went where its request said.
    for (usize i = 0; i < batch.count; ++i) {
        BlockRequest const& request = batch.requests[i];
        EXPECT_EQ(memcmp(disk.storage + request.sector * SECTOR, request.buffer.data(), request.buffer.size()), 0);
    }
    disk.handle.unregister();
    return {};
}

KTEST(block_queue_adjacent_buffers_make_one_segment, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto ram = EXPECT_OK(blockdev::find("ram0"));
    static u8 memory[8 * 4096], back[8 * 4096];
    static BlockRequest requests[8];
    static Done done[8];
    for (usize i = 0; i < sizeof(memory); ++i)
        memory[i] = pattern(i, 2);
    block::reset_queue_stats(*ram);
    // Eight reads-after-writes of 4 KiB whose buffers follow each other in memory: one command,
    // one buffer of 32 KiB.
    block::plug(*ram);
    for (usize i = 0; i < 8; ++i) {
        requests[i].op = BlockOp::Write;
        requests[i].sector = 1000 + 8 * i;
        requests[i].count = 8;
        requests[i].buffer = Bytes(memory + 4096 * i, 4096);
        Done* d = &done[i];
        requests[i].on_complete = [d](BlockRequest& r) { note_done(*d, r); };
        EXPECT_OK(blockdev::submit(*ram, requests[i]));
    }
    block::unplug(*ram);
    for (auto& d : done)
        EXPECT_OK(d.semaphore.down_timeout(time::NS_PER_S));
    block::CommandRecord records[4];
    usize n = block::recent_commands(*ram, records, 4);
    EXPECT_EQ(n, 1u);
    EXPECT_EQ(records[0].sector, 1000u);
    EXPECT_EQ(records[0].count, 64u);
    EXPECT_EQ(records[0].requests, 8u);
    EXPECT_EQ(records[0].segments, 1u);
    EXPECT_OK(blockdev::read_sync(*ram, 1000, back));
    EXPECT_EQ(memcmp(back, memory, sizeof(back)), 0);
    return {};
}

KTEST(block_queue_flush_orders_what_came_before, CORE_SUITE)
{
    static RecordingDisk disk;
    static u8 memory[4 * (2 * SECTOR + 1024)];
    static Batch before, after;
    EXPECT_OK(register_disk(disk));
    BlockDevice& device = disk.device();
    disk.hold = true;
    // A busy disk: one write in the driver, two more queued, then a flush, then a write that
    // would merge with the queued ones if the flush did not stand between them.
    fill_batch(before, BlockOp::Write, 40, 2, 3, memory);
    fill_batch(after, BlockOp::Write, 46, 2, 1, memory + 3 * (2 * SECTOR + 1024));
    Done flush_done;
    BlockRequest flush { .op = BlockOp::Flush, .on_complete = [&flush_done](BlockRequest& r) { note_done(flush_done, r); } };
    for (usize i = 0; i < before.count; ++i)
        EXPECT_OK(blockdev::submit(device, before.requests[i]));
    EXPECT_OK(blockdev::submit(device, flush));
    EXPECT_OK(blockdev::submit(device, after.requests[0]));
    sched::sleep_for(5 * time::NS_PER_MS);
    EXPECT_EQ(disk.logged, 1u);                  // one command at a time
    EXPECT(disk.release_one());                  // write 40
    sched::sleep_for(5 * time::NS_PER_MS);
    EXPECT_EQ(disk.logged, 2u);
    EXPECT_EQ(disk.log[1].sector, 42u);          // 42 and 44 merged, 46 not
    EXPECT_EQ(disk.log[1].count, 4u);
    EXPECT(disk.release_one());
    sched::sleep_for(5 * time::NS_PER_MS);
    EXPECT_EQ(disk.logged, 3u);
    EXPECT_EQ(disk.log[2].op, BlockOp::Flush);   // only now, with nothing before it outstanding
    EXPECT(flush_done.calls == 0);
    EXPECT(disk.release_one());
    EXPECT_OK(flush_done.semaphore.down_timeout(time::NS_PER_S));
    sched::sleep_for(5 * time::NS_PER_MS);
    EXPECT_EQ(disk.logged, 4u);
    EXPECT_EQ(disk.log[3].sector, 46u);          // the write after the flush, after it
    EXPECT(disk.release_one());
    TRY(wait_batch(before));
    TRY(wait_batch(after));
    EXPECT_EQ(flush_done.status, 0);
    disk.handle.unregister();
    return {};
}

KTEST(block_queue_driver_refusal_reaches_every_request, CORE_SUITE)
{
    static RecordingDisk disk;
    static u8 memory[4 * (SECTOR + 1024)];
    static Batch batch;
    EXPECT_OK(register_disk(disk));
    BlockDevice& device = disk.device();
    disk.refuse = EIO;
    fill_batch(batch, BlockOp::Read, 0, 1, 3, memory);
    block::plug(device);
    for (usize i = 0; i < batch.count; ++i)
        EXPECT_OK(blockdev::submit(device, batch.requests[i]));
    block::unplug(device);
    TRY(wait_batch(batch));
    for (usize i = 0; i < batch.count; ++i)
        EXPECT_EQ(batch.done[i].status, EIO);
    EXPECT_EQ(disk.logged, 1u);                   // one merged command, refused
    EXPECT_EQ(device.block_stats().errors, 3u);
    EXPECT_EQ(device.block_stats().in_flight, 0u);
    disk.refuse = 0;
    static u8 sector[SECTOR];
    EXPECT_OK(blockdev::read_sync(device, 0, sector));   // the queue keeps working
    disk.handle.unregister();
    return {};
}

KTEST(block_queue_timeouts_queued_and_in_driver, CORE_SUITE)
{
    static RecordingDisk disk;
    static u8 first[SECTOR], second[SECTOR];
    EXPECT_OK(register_disk(disk));
    BlockDevice& device = disk.device();
    disk.hold = true;
    // `first` sits in the driver and is never completed; `second`, queued behind it, times out
    // without ever reaching the driver; then `first` times out and is aborted by the driver.
    Done first_done;
    BlockRequest stuck { .op = BlockOp::Read, .sector = 5, .count = 1, .buffer = first,
        .on_complete = [&first_done](BlockRequest& r) { note_done(first_done, r); } };
    EXPECT_OK(blockdev::submit(device, stuck));
    sched::sleep_for(2 * time::NS_PER_MS);
    EXPECT_ERROR(blockdev::read_sync(device, 100, second, 30 * time::NS_PER_MS), ETIMEDOUT);
    EXPECT_EQ(disk.logged, 1u);
    EXPECT_EQ(disk.aborts, 0u);
    EXPECT_EQ(block::queue_stats(device).depth, 1u);
    device.queue().abort(stuck);
    EXPECT_OK(first_done.semaphore.down_timeout(time::NS_PER_S));
    EXPECT_EQ(first_done.status, ETIMEDOUT);
    EXPECT_EQ(disk.aborts, 1u);
    EXPECT_EQ(block::queue_stats(device).depth, 0u);
    disk.hold = false;
    EXPECT_OK(blockdev::read_sync(device, 100, second));   // and the disk serves the next
    disk.handle.unregister();
    return {};
}

KTEST(block_queue_scheduler_by_boot_option_and_monitor, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto ram = EXPECT_OK(blockdev::find("ram0"));
    auto option = kernel_cmdline().get(kstd::StringView("iosched.ram0"));
    char const* expected = option.has_value() ? "elevator" : "deadline";
    EXPECT_MSG(kstd::StringView(block::scheduler_name(*ram)) == kstd::StringView(expected),
        "ram0 booted with %s, expected %s", block::scheduler_name(*ram), expected);
    EXPECT(monitor::execute(kstd::StringView("iosched ram0 fifo")));
    EXPECT(kstd::StringView(block::scheduler_name(*ram)) == kstd::StringView("fifo"));
    EXPECT_ERROR(block::set_scheduler(*ram, "cfq"), EINVAL);
    EXPECT(kstd::StringView(block::scheduler_name(*ram)) == kstd::StringView("fifo"));
    EXPECT_OK(block::set_scheduler(*ram, "deadline"));
    EXPECT(monitor::execute(kstd::StringView("blkstat ram0")));
    EXPECT(monitor::execute(kstd::StringView("blkstat ram0 log")));
    return {};
}
