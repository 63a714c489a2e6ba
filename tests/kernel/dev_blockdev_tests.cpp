// The block device class: /dev/ram0 through devfs at odd offsets and across sectors, requests out
// of range or malformed, asynchronous completion through the callback, the synchronous timeout
// with the driver's abort(), and unregistering while requests are in flight.
//
// Besides ram0 (which completes inside submit), the tests use `ktblk`, a 16-sector test disk whose
// requests complete later: from a work item (Deferred), or only when the test says so (Stuck).
#include <kernel/dev/blockdev.h>
#include <kernel/dev/builtin.h>
#include <kernel/dev/devfs.h>
#include <kernel/irq/workqueue.h>
#include <kernel/kernel.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace dev;

constexpr u32 SECTOR = 512;
constexpr u64 TEST_SECTORS = 16;

// --- ktblk: a block device that completes later ------------------------------------------------

enum class Mode : u8 { Deferred, Stuck };

struct TestDisk {
    Mode mode { Mode::Deferred };
    u8 storage[TEST_SECTORS * SECTOR] {};
    sched::Spinlock lock { "ktblk" };
    IntrusiveList<BlockRequest, &BlockRequest::queue_link> queue;   // Guarded by lock
    irq::WorkItem work;
    u32 aborts { 0 };
    BlockDevHandle handle;
    TestDisk();
    BlockRequest* take();
};

void finish(BlockRequest& request, TestDisk& disk)
{
    u8* sectors = disk.storage + request.sector * SECTOR;
    if (request.op == BlockOp::Read)
        memcpy(request.buffer.data(), sectors, request.buffer.size());
    else if (request.op == BlockOp::Write)
        memcpy(sectors, request.buffer.data(), request.buffer.size());
    blockdev::complete(request, {});
}

void complete_queued(void* ctx)   // Context: work item
{
    auto& disk = *static_cast<TestDisk*>(ctx);
    while (BlockRequest* request = disk.take())
        finish(*request, disk);
}

TestDisk::TestDisk() : work(complete_queued, this) {}

BlockRequest* TestDisk::take()
{
    sched::SpinlockGuard guard(lock);
    return queue.pop_front();
}

ErrorOr<void> test_submit(BlockDevice& device, BlockRequest& request)
{
    auto& disk = *static_cast<TestDisk*>(device.data());
    {
        sched::SpinlockGuard guard(disk.lock);
        disk.queue.push_back(request);
    }
    if (disk.mode == Mode::Deferred)
        irq::system_workqueue().queue(disk.work);
    return {};
}

void test_abort(BlockDevice& device, BlockRequest& request)
{
    auto& disk = *static_cast<TestDisk*>(device.data());
    {
        sched::SpinlockGuard guard(disk.lock);
        disk.queue.remove(request);
    }
    ++disk.aborts;
    blockdev::complete(request, Error::from_errno(ETIMEDOUT));
}

constexpr BlockDevOps test_ops { .driver = "ktblk", .submit = test_submit, .abort = test_abort };

ErrorOr<void> register_test_disk(TestDisk& disk, Mode mode)
{
    disk.mode = mode;
    BlockGeometry geometry { .sector_size = SECTOR, .sector_count = TEST_SECTORS };
    disk.handle = TRY(register_blockdev("ktblk", 60, 0, test_ops, geometry, &disk));
    return {};
}

// --- helpers ------------------------------------------------------------------------------------

u8 pattern_byte(usize i) { return u8(i * 7 + 3); }

// Reads `length` bytes at `offset` of `file` into `out`.
ErrorOr<void> read_at(File& file, u64 offset, Bytes out)
{
    TRY(file.llseek(i64(offset), Whence::Set));
    usize n = TRY(file.read(out));
    if (n != out.size())
        return Error::from_errno(EIO);
    return {};
}

}

KTEST(dev_ramdisk_byte_io_through_devfs, CORE_SUITE)
{
    dev::init_builtin_devices();
    static u8 background[8 * SECTOR], pattern[1500], back[8 * SECTOR];
    auto disk = EXPECT_OK(devfs::open("/dev/ram0", OpenFlags::ReadWrite));
    EXPECT_EQ(disk->node().kind(), NodeKind::Block);
    u64 size = EXPECT_OK(disk->ioctl(blockdev::IOCTL_GET_SIZE));
    EXPECT_EQ(size, 4 * MiB);
    EXPECT_EQ(EXPECT_OK(disk->ioctl(blockdev::IOCTL_GET_SECTOR_SIZE)), u64(SECTOR));
    EXPECT_EQ(EXPECT_OK(disk->ioctl(blockdev::IOCTL_FLUSH)), 0u);
    EXPECT_ERROR(disk->ioctl(0x4242), ENOTTY);

    // Background: sectors 0-7 all 0x5A. Then 1500 bytes at offset 1000: sectors 1 to 4, partial
    // at both ends.
    memset(background, 0x5A, sizeof(background));
    EXPECT_EQ(EXPECT_OK(disk->write(background)), sizeof(background));
    for (usize i = 0; i < sizeof(pattern); ++i)
        pattern[i] = pattern_byte(i);
    EXPECT_EQ(EXPECT_OK(disk->llseek(1000, Whence::Set)), 1000u);
    EXPECT_EQ(EXPECT_OK(disk->write(pattern)), sizeof(pattern));
    EXPECT_EQ(disk->position(), 2500u);

    // Byte for byte back, and the neighbours on both sides untouched.
    EXPECT_OK(read_at(*disk, 0, back));
    for (usize i = 0; i < sizeof(back); ++i) {
        u8 expected = (i >= 1000 && i < 2500) ? pattern_byte(i - 1000) : 0x5A;
        EXPECT_MSG(back[i] == expected, "ram0 byte %zu: got %#x, expected %#x", i, back[i], expected);
    }
    // A read at an odd offset across a sector boundary, into a misaligned buffer.
    EXPECT_OK(read_at(*disk, 1021, Bytes(back + 1, 700)));
    EXPECT_EQ(memcmp(back + 1, pattern + 21, 700), 0);
    // A 7-byte write inside one sector.
    u8 small[7] = { 1, 2, 3, 4, 5, 6, 7 };
    EXPECT_OK(disk->llseek(3001, Whence::Set));
    EXPECT_EQ(EXPECT_OK(disk->write(small)), 7u);
    EXPECT_OK(read_at(*disk, 2999, Bytes(back, 11)));
    u8 expected_small[11] = { 0x5A, 0x5A, 1, 2, 3, 4, 5, 6, 7, 0x5A, 0x5A };
    EXPECT_EQ(memcmp(back, expected_small, 11), 0);

    // The end of the device: reads see end of file, writes ENOSPC or a short count.
    EXPECT_EQ(EXPECT_OK(disk->llseek(0, Whence::End)), size);
    EXPECT_EQ(EXPECT_OK(disk->read(back)), 0u);
    EXPECT_ERROR(disk->write(small), ENOSPC);
    EXPECT_EQ(EXPECT_OK(disk->llseek(-3, Whence::End)), size - 3);
    EXPECT_EQ(EXPECT_OK(disk->write(small)), 3u);
    EXPECT_OK(read_at(*disk, size - 4, Bytes(back, 4)));
    EXPECT_EQ(back[1], 1);
    EXPECT_EQ(back[3], 3);
    EXPECT_ERROR(disk->llseek(-1, Whence::Set), EINVAL);
    return {};
}

KTEST(dev_blockdev_requests_out_of_range_rejected, CORE_SUITE)
{
    dev::init_builtin_devices();
    static u8 two[2 * SECTOR], check[2 * SECTOR], junk[2 * SECTOR];
    auto ram = EXPECT_OK(blockdev::find("ram0"));
    BlockDevice& disk = *ram;
    u64 last = disk.sector_count() - 1;
    BlockStats before = disk.block_stats();

    memset(two, 0x11, SECTOR);
    memset(two + SECTOR, 0x22, SECTOR);
    EXPECT_OK(blockdev::write_sync(disk, last - 1, two));
    memset(junk, 0xEE, sizeof(junk));
    EXPECT_ERROR(blockdev::read_sync(disk, last + 1, Bytes(junk, SECTOR)), EINVAL);   // past the end
    EXPECT_ERROR(blockdev::write_sync(disk, last, junk), EINVAL);                     // across the end
    EXPECT_ERROR(blockdev::write_sync(disk, ~u64(0), Bytes(junk, SECTOR)), EINVAL);   // would wrap
    EXPECT_ERROR(blockdev::read_sync(disk, 0, Bytes(junk, 100)), EINVAL);             // not whole sectors
    EXPECT_ERROR(blockdev::read_sync(disk, 0, Bytes(junk, 0)), EINVAL);               // nothing at all
    EXPECT_OK(blockdev::read_sync(disk, last - 1, check));
    EXPECT_EQ(memcmp(check, two, sizeof(two)), 0);   // the last sectors were not touched

    BlockRequest mismatch { .op = BlockOp::Read, .sector = 0, .count = 2, .buffer = Bytes(junk, SECTOR) };
    EXPECT_ERROR(blockdev::submit(disk, mismatch), EINVAL);
    BlockRequest flush_with_sector { .op = BlockOp::Flush, .sector = 3 };
    EXPECT_ERROR(blockdev::submit(disk, flush_with_sector), EINVAL);
    EXPECT_OK(blockdev::flush_sync(disk));
    EXPECT(!mismatch.is_complete());   // a refused request never completes

    BlockStats after = disk.block_stats();
    EXPECT_EQ(after.rejected - before.rejected, 6u);   // the 100-byte read never became a request
    EXPECT_EQ(after.errors - before.errors, 0u);
    EXPECT_EQ(after.writes - before.writes, 1u);
    EXPECT_EQ(after.sectors_read - before.sectors_read, 2u);
    EXPECT_EQ(after.flushes - before.flushes, 1u);
    return {};
}

namespace {

struct Completion {
    sched::Semaphore done { 0 };
    u32 calls { 0 };
    int status { -1 };
    sched::Thread* thread { nullptr };
};

void on_done(Completion& c, BlockRequest& request)
{
    ++c.calls;
    c.status = request.result().is_error() ? request.result().error().code() : 0;
    c.thread = sched::current();
    c.done.up();
}

}

KTEST(dev_blockdev_async_completion_callback, CORE_SUITE)
{
    dev::init_builtin_devices();
    static u8 data[SECTOR], back[SECTOR];
    for (usize i = 0; i < SECTOR; ++i)
        data[i] = pattern_byte(i);

    // ram0 completes inside submit(); the caller's code is the same either way.
    auto ram = EXPECT_OK(blockdev::find("/dev/ram0"));
    Completion c1;
    BlockRequest write { .op = BlockOp::Write, .sector = 10, .count = 1, .buffer = data,
        .on_complete = [&c1](BlockRequest& r) { on_done(c1, r); } };
    EXPECT_OK(blockdev::submit(*ram, write));
    EXPECT_OK(c1.done.down_timeout(time::NS_PER_S));
    EXPECT_EQ(c1.calls, 1u);
    EXPECT_EQ(c1.status, 0);
    EXPECT(write.is_complete());

    // ktblk completes from the system workqueue: submit returns first, the callback runs later,
    // in the worker thread. Outranking the worker makes "later" certain.
    static TestDisk disk;
    EXPECT_OK(register_test_disk(disk, Mode::Deferred));
    BlockDevice& deferred = *disk.handle.device();
    Completion c2;
    BlockRequest async_write { .op = BlockOp::Write, .sector = 3, .count = 1, .buffer = data,
        .on_complete = [&c2](BlockRequest& r) { on_done(c2, r); } };
    sched::set_priority(sched::current(), sched::PRIORITY_DEFAULT + 1);
    EXPECT_OK(blockdev::submit(deferred, async_write));
    bool completed_early = async_write.is_complete();
    EXPECT_ERROR(blockdev::submit(deferred, async_write), EBUSY);   // still in flight
    EXPECT_EQ(deferred.block_stats().in_flight, 1u);
    sched::set_priority(sched::current(), sched::PRIORITY_DEFAULT);
    EXPECT(!completed_early);
    EXPECT_OK(c2.done.down_timeout(time::NS_PER_S));
    EXPECT_EQ(c2.calls, 1u);
    EXPECT_EQ(c2.status, 0);
    EXPECT_NE(c2.thread, sched::current());

    // The synchronous calls work on top of the asynchronous device.
    EXPECT_OK(blockdev::read_sync(deferred, 3, back, time::NS_PER_S));
    EXPECT_EQ(memcmp(back, data, SECTOR), 0);
    EXPECT_EQ(deferred.block_stats().in_flight, 0u);
    disk.handle.unregister();
    return {};
}

KTEST(dev_blockdev_sync_timeout_aborts, CORE_SUITE)
{
    dev::init_builtin_devices();
    static u8 buffer[SECTOR];
    static TestDisk disk;
    EXPECT_OK(register_test_disk(disk, Mode::Stuck));
    BlockDevice& stuck = *disk.handle.device();
    u64 start = time::now_ns();
    EXPECT_ERROR(blockdev::read_sync(stuck, 1, buffer, 50 * time::NS_PER_MS), ETIMEDOUT);
    EXPECT(time::now_ns() - start >= 50 * time::NS_PER_MS);
    EXPECT_EQ(disk.aborts, 1u);
    EXPECT_EQ(stuck.block_stats().errors, 1u);
    EXPECT_EQ(stuck.block_stats().in_flight, 0u);
    EXPECT(disk.queue.is_empty());
    disk.handle.unregister();
    return {};
}

namespace {

struct UnregisterContext {
    TestDisk* disk;
    bool volatile done { false };
};

void unregister_disk(void* arg)
{
    auto& ctx = *static_cast<UnregisterContext*>(arg);
    ctx.disk->handle.unregister();
    ctx.done = true;
}

}

KTEST(dev_blockdev_unregister_waits_for_requests, CORE_SUITE)
{
    dev::init_builtin_devices();
    static u8 buffer[SECTOR];
    static TestDisk disk;
    EXPECT_OK(register_test_disk(disk, Mode::Stuck));
    BlockDevice& device = *disk.handle.device();
    auto file = EXPECT_OK(devfs::open("/dev/ktblk", OpenFlags::Read));
    Completion c;
    BlockRequest pending { .op = BlockOp::Read, .sector = 0, .count = 1, .buffer = buffer,
        .on_complete = [&c](BlockRequest& r) { on_done(c, r); } };
    EXPECT_OK(blockdev::submit(device, pending));

    UnregisterContext ctx { &disk };
    auto* thread = EXPECT_OK(sched::spawn("ktest-unreg", unregister_disk, &ctx));
    sched::sleep_for(20 * time::NS_PER_MS);
    bool returned_early = ctx.done;
    bool name_gone = devfs::lookup("/dev/ktblk").is_error();                  // the name went first
    BlockRequest late { .op = BlockOp::Read, .sector = 0, .count = 1, .buffer = buffer };
    auto late_submit = blockdev::submit(device, late);                        // no new requests

    // The driver finishes its queue, as a real one would on removal; only then check, so that a
    // failure leaves no request queued behind.
    complete_queued(&disk);
    EXPECT_OK(sched::join(thread));
    EXPECT_MSG(!returned_early, "unregister returned while the driver still held a request");
    EXPECT(name_gone);
    EXPECT_MSG(late_submit.is_error() && late_submit.error().code() == ENODEV,
        "a request submitted during unregister was not refused with ENODEV");
    EXPECT(ctx.done);
    EXPECT_EQ(c.calls, 1u);
    EXPECT_ERROR(file->read(buffer), ENODEV);
    EXPECT_OK(file->close());
    return {};
}

// `ramdisk.size=`: the rubric boots this test with no option (4 MiB), with 1536K, and with a size
// that is not a whole number of sectors (warned about, then 4 MiB).
KTEST(dev_ramdisk_size_option, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto option = kernel_cmdline().get(kstd::StringView("ramdisk.size"));
    u64 expected = option.has_value() && *option == kstd::StringView("1536K") ? 1536 * KiB : 4 * MiB;
    auto ram = EXPECT_OK(blockdev::find("ram0"));
    EXPECT_EQ(ram->capacity(), expected);
    EXPECT_EQ(ram->sector_count(), expected / SECTOR);
    static u8 sector[SECTOR];
    EXPECT_OK(blockdev::read_sync(*ram, ram->sector_count() - 1, sector));   // the last sector exists
    EXPECT_ERROR(blockdev::read_sync(*ram, ram->sector_count(), sector), EINVAL);
    return {};
}
