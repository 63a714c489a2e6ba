// The kernel's buffer cache around the policy (kernel/block/cache*.cpp): the flusher writes dirty
// blocks back after dirty_expire without a sync, the direct path stays coherent with the cache,
// byte I/O at odd offsets, and a disk's dirty blocks are written back when it is unregistered.
#include <kernel/block/cached_io.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/builtin.h>
#include <kernel/monitor.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace dev;

constexpr u64 BLOCK = block::BLOCK_SIZE;

ErrorOr<BlockDevice*> ram0()
{
    dev::init_builtin_devices();
    auto ram = TRY(blockdev::find("ram0"));
    return &*ram;
}

ErrorOr<bool> disk_holds(BlockDevice& disk, u64 offset, u8 byte, usize length)
{
    static u8 buffer[2 * BLOCK];
    TRY(blockdev::read_sync(disk, offset / disk.sector_size(), Bytes(buffer, length)));
    for (usize i = 0; i < length; ++i) {
        if (buffer[i] != byte)
            return false;
    }
    return true;
}

}

KTEST(block_cache_flusher_writes_back_after_expiry, CORE_SUITE)
{
    BlockDevice& ram = *TRY(ram0());
    static u8 data[BLOCK];
    memset(data, 0x7E, sizeof(data));
    block::set_dirty_expire(100 * time::NS_PER_MS);
    u64 start = time::now_ns();
    EXPECT_OK(block::write(ram, 64 * BLOCK, data));
    EXPECT(!EXPECT_OK(disk_holds(ram, 64 * BLOCK, 0x7E, BLOCK)));   // still only in the cache
    u64 deadline = start + 3 * time::NS_PER_S;
    while (!EXPECT_OK(disk_holds(ram, 64 * BLOCK, 0x7E, BLOCK)) && time::now_ns() < deadline)
        sched::sleep_for(10 * time::NS_PER_MS);
    u64 took = time::now_ns() - start;
    ktest::note("the flusher wrote the block back after %lu ms (dirty expire 100 ms)", took / time::NS_PER_MS);
    EXPECT_MSG(took < 3 * time::NS_PER_S, "the flusher never wrote the dirty block back");
    EXPECT_MSG(took >= 100 * time::NS_PER_MS, "the block was written back after %lu ms, before it expired",
        took / time::NS_PER_MS);
    EXPECT_EQ(block::cache_stats().dirty, 0u);
    return {};
}

KTEST(block_cache_direct_path_is_coherent, CORE_SUITE)
{
    BlockDevice& ram = *TRY(ram0());
    static u8 data[BLOCK], back[BLOCK];
    block::set_flusher_paused(true);
    // Cached write, direct read: the dirty block reaches the disk first.
    memset(data, 0x11, sizeof(data));
    EXPECT_OK(block::write(ram, 10 * BLOCK, data));
    EXPECT_OK(block::read(ram, 10 * BLOCK, back, block::Path::Direct));
    EXPECT_EQ(memcmp(back, data, BLOCK), 0);
    // Cached read (now cached), direct write, cached read: the stale copy was dropped.
    EXPECT_OK(block::read(ram, 10 * BLOCK, back));
    memset(data, 0x22, sizeof(data));
    EXPECT_OK(block::write(ram, 10 * BLOCK, data, block::Path::Direct));
    EXPECT_OK(block::read(ram, 10 * BLOCK, back));
    EXPECT_EQ(back[0], 0x22);
    EXPECT_EQ(back[BLOCK - 1], 0x22);
    // The direct path wants whole sectors.
    EXPECT_ERROR(block::read(ram, 100, Bytes(back, 512), block::Path::Direct), EINVAL);
    EXPECT_ERROR(block::read(ram, ram.capacity(), Bytes(back, 512)), EINVAL);
    block::set_flusher_paused(false);
    return {};
}

KTEST(block_cache_byte_io_across_blocks, CORE_SUITE)
{
    BlockDevice& ram = *TRY(ram0());
    static u8 data[3000], back[3000], background[2 * BLOCK];
    memset(background, 0xB0, sizeof(background));
    EXPECT_OK(block::write(ram, 20 * BLOCK, background));
    for (usize i = 0; i < sizeof(data); ++i)
        data[i] = u8(i * 7);
    EXPECT_OK(block::write(ram, 21 * BLOCK - 1000, data));   // across the boundary of blocks 20, 21
    EXPECT_OK(block::read(ram, 21 * BLOCK - 1000, back));
    EXPECT_EQ(memcmp(back, data, sizeof(data)), 0);
    EXPECT_OK(block::sync(ram));
    static u8 disk[2 * BLOCK];
    EXPECT_OK(blockdev::read_sync(ram, 20 * BLOCK / 512, disk));
    for (usize i = 0; i < sizeof(disk); ++i) {
        usize in_data = i - (BLOCK - 1000);
        u8 expected = i >= BLOCK - 1000 && in_data < sizeof(data) ? data[in_data] : 0xB0;
        EXPECT_MSG(disk[i] == expected, "byte %zu of blocks 20-21 on the disk is %#x, expected %#x", i, disk[i], expected);
    }
    EXPECT(monitor::execute(kstd::StringView("bcache")));
    EXPECT(monitor::execute(kstd::StringView("sync ram0")));
    return {};
}

namespace {

struct MemoryDisk {
    u8 storage[64 * BLOCK] {};
    BlockDevHandle handle;
};

ErrorOr<void> memory_submit(BlockDevice& device, BlockRequest& command)
{
    auto& disk = *static_cast<MemoryDisk*>(device.data());
    u8* place = disk.storage + command.sector * 512;
    for (usize i = 0; i < command.segment_count(); ++i) {
        BlockSegment segment = command.segment(i);
        if (command.op == BlockOp::Write)
            memcpy(place, segment.data, segment.length);
        else if (command.op == BlockOp::Read)
            memcpy(segment.data, place, segment.length);
        place += segment.length;
    }
    blockdev::complete(command, {});
    return {};
}

constexpr BlockDevOps memory_ops { .driver = "ctblk", .submit = memory_submit };

}

KTEST(block_cache_unregister_writes_back, CORE_SUITE)
{
    static MemoryDisk disk;
    BlockGeometry geometry { .sector_size = 512, .sector_count = sizeof(disk.storage) / 512, .max_segments = 8 };
    disk.handle = EXPECT_OK(register_blockdev("ctblk", 62, 0, memory_ops, geometry, &disk));
    block::set_flusher_paused(true);
    static u8 data[BLOCK];
    memset(data, 0x5C, sizeof(data));
    EXPECT_OK(block::write(*disk.handle.device(), 3 * BLOCK, data));
    EXPECT_EQ(disk.storage[3 * BLOCK], 0);   // in the cache only
    disk.handle.unregister();
    EXPECT_EQ(disk.storage[3 * BLOCK], 0x5C);
    EXPECT_EQ(disk.storage[4 * BLOCK - 1], 0x5C);
    EXPECT_EQ(block::cache_stats().dirty, 0u);
    block::set_flusher_paused(false);
    return {};
}
