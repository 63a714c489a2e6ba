// Lab 8, parts 3 and 4, in the kernel: your policy running the kernel's buffer cache over ram0.
//
//   lab8_cache_hit_ratios                hits and misses for a loop that fits, one that does not,
//                                        and a hot block in a scan (read-ahead off); then a
//                                        sequential read with read-ahead on
//   lab8_cache_nothing_lost_under_pressure  200 blocks written through a cache limited to 8:
//                                        every block reaches the disk, most before any sync
//   lab8_cache_sync_writes_back          after sync every written block is on the disk (read
//                                        around the cache) and nothing is dirty
#include "lab8_support.h"
#include <kernel/block/cached_io.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

using namespace lab8;

namespace {

constexpr u64 BLOCK = block::BLOCK_SIZE;

// Reads block `number` of ram0 through the cache.
ErrorOr<void> read_block(BlockDevice& ram, u64 number)
{
    static u8 buffer[BLOCK];
    return block::read(ram, number * BLOCK, Bytes(buffer, BLOCK));
}

u8 pattern(u64 number, usize i) { return u8(number * 37 + i * 11 + 5); }

ErrorOr<void> write_pattern(BlockDevice& ram, u64 number)
{
    static u8 buffer[BLOCK];
    for (usize i = 0; i < BLOCK; ++i)
        buffer[i] = pattern(number, i);
    return block::write(ram, number * BLOCK, Bytes(buffer, BLOCK));
}

// Block `number` on the disk itself (around the cache) holds its pattern.
ErrorOr<bool> pattern_on_disk(BlockDevice& ram, u64 number)
{
    static u8 buffer[BLOCK];
    TRY(blockdev::read_sync(ram, number * (BLOCK / 512), Bytes(buffer, BLOCK)));
    for (usize i = 0; i < BLOCK; ++i) {
        if (buffer[i] != pattern(number, i))
            return false;
    }
    return true;
}

struct Counts {
    u64 hits, misses;
};

ErrorOr<Counts> run_pattern(BlockDevice& ram, u64 const* blocks, usize count)
{
    block::reset_cache_stats();
    for (usize i = 0; i < count; ++i)
        TRY(read_block(ram, blocks[i]));
    block::CacheStats stats = block::cache_stats();
    return Counts { stats.hits, stats.misses };
}

}

KTEST(lab8_cache_hit_ratios, 8)
{
    BlockDevice& ram = *TRY(ram0());
    block::BufferCache& cache = block::buffer_cache();
    cache.set_read_ahead(0);
    EXPECT_OK(block::set_cache_limit(16));
    // Blocks 200.. so that nothing cached by earlier use is in the way.
    static u64 loop16[16 * 5], loop17[17 * 5], hot[1 + 2 * 40];
    for (usize i = 0; i < 16 * 5; ++i)
        loop16[i] = 200 + i % 16;
    for (usize i = 0; i < 17 * 5; ++i)
        loop17[i] = 300 + i % 17;
    hot[0] = 500;
    for (usize i = 0; i < 40; ++i) {
        hot[1 + 2 * i] = 500;
        hot[2 + 2 * i] = 600 + i;
    }
    Counts fits = TRY(run_pattern(ram, loop16, 16 * 5));
    Counts too_big = TRY(run_pattern(ram, loop17, 17 * 5));
    Counts scan = TRY(run_pattern(ram, hot, 1 + 2 * 40));
    ktest::note("cache of 16 blocks: loop of 16 x5 %lu hits / %lu misses, loop of 17 x5 %lu / %lu, hot block in a "
                "40-block scan %lu / %lu", fits.hits, fits.misses, too_big.hits, too_big.misses, scan.hits, scan.misses);
    EXPECT_MSG(fits.hits == 64 && fits.misses == 16, "a loop over 16 blocks in a cache of 16: %lu hits, %lu misses, "
        "expected 64 and 16", fits.hits, fits.misses);
    EXPECT_MSG(too_big.hits == 0, "a loop over 17 blocks in a cache of 16: %lu hits, expected 0 (LRU's weakness): "
        "the policy is not LRU", too_big.hits);
    EXPECT_MSG(scan.hits == 40, "a hot block between the blocks of a 40-block scan: %lu hits, expected 40 (LRU keeps "
        "the hot block; MRU or FIFO lose it)", scan.hits);
    // Read-ahead: a sequential read of 64 blocks misses twice and hits the rest, read ahead.
    cache.set_read_ahead(8);
    EXPECT_OK(block::set_cache_limit(64));
    static u64 sequential[64];
    for (usize i = 0; i < 64; ++i)
        sequential[i] = 800 + i;
    Counts streamed = TRY(run_pattern(ram, sequential, 64));
    block::CacheStats stats = block::cache_stats();
    ktest::note("sequential 64 blocks with read-ahead 8: %lu hits (%lu read ahead), %lu misses", streamed.hits,
        stats.read_ahead_hits, streamed.misses);
    EXPECT_EQ(streamed.misses, 2u);
    EXPECT_EQ(stats.read_ahead_hits, 62u);
    return {};
}

KTEST(lab8_cache_nothing_lost_under_pressure, 8)
{
    BlockDevice& ram = *TRY(ram0());
    EXPECT_OK(block::set_cache_limit(8));
    block::set_flusher_paused(true);   // only eviction writes back here
    constexpr u64 FIRST = 100, COUNT = 200;
    for (u64 number = FIRST; number < FIRST + COUNT; ++number)
        EXPECT_OK(write_pattern(ram, number));
    u64 before_sync = 0;
    for (u64 number = FIRST; number < FIRST + COUNT; ++number)
        before_sync += EXPECT_OK(pattern_on_disk(ram, number));
    ktest::note("200 blocks written through a cache of 8: %lu on the disk before sync", before_sync);
    EXPECT_MSG(before_sync >= COUNT - 8, "only %lu of 200 blocks written through a cache of 8 are on the disk before "
        "sync: a dirty block was evicted without being written back, and its data is lost", before_sync);
    EXPECT_OK(block::sync(ram));
    for (u64 number = FIRST; number < FIRST + COUNT; ++number)
        EXPECT_MSG(EXPECT_OK(pattern_on_disk(ram, number)), "block %lu is not on the disk after sync", number);
    EXPECT_EQ(block::cache_stats().dirty, 0u);
    block::set_flusher_paused(false);
    return {};
}

KTEST(lab8_cache_sync_writes_back, 8)
{
    BlockDevice& ram = *TRY(ram0());
    EXPECT_OK(block::set_cache_limit(256));
    block::set_flusher_paused(true);   // the flusher stays out of it
    constexpr u64 FIRST = 40, COUNT = 32;
    for (u64 number = FIRST; number < FIRST + COUNT; ++number)
        EXPECT_OK(write_pattern(ram, number));
    EXPECT_EQ(block::cache_stats().dirty, u32(COUNT));
    u64 early = 0;
    for (u64 number = FIRST; number < FIRST + COUNT; ++number)
        early += EXPECT_OK(pattern_on_disk(ram, number));
    EXPECT_MSG(early == 0, "%lu blocks reached the disk before sync, with no pressure and no flusher: the cache "
        "writes through instead of back", early);
    block::QueueStats before = block::queue_stats(ram);
    EXPECT_OK(block::sync(ram));
    block::QueueStats after = block::queue_stats(ram);
    for (u64 number = FIRST; number < FIRST + COUNT; ++number)
        EXPECT_MSG(EXPECT_OK(pattern_on_disk(ram, number)), "block %lu is not on the disk after sync", number);
    EXPECT_EQ(block::cache_stats().dirty, 0u);
    ktest::note("sync wrote 32 blocks in %lu commands (%lu merges)", after.commands - before.commands - 1,
        after.merges - before.merges);
    block::set_flusher_paused(false);
    return {};
}
