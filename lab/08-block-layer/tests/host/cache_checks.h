#pragma once
// Lab 8, parts 3 and 4: the checks of the buffer cache's eviction and write-back, each a function
// of the policy under test, so that the same checks run against your code (cache_test.cpp) and
// against purpose-made wrong policies (the grader's self-tests). The cache runs over a fake
// disk (fake_disk.h) with read-ahead off.
#include "fake_disk.h"
#include <catch2/catch.hpp>
#include <sstream>

namespace lab8 {

inline void require_no_violations(FakeCache& fake)
{
    for (std::string const& problem : fake.disk.violations)
        FAIL(problem);
}

inline std::string cached_set(FakeCache& fake, std::vector<u64> const& candidates)
{
    std::ostringstream out;
    for (u64 number : candidates) {
        if (fake.cached(number))
            out << (out.tellp() ? " " : "") << number;
    }
    return out.str();
}

// --- Part 3: eviction ----------------------------------------------------------------------------

inline void check_lru_victims(CachePolicy const& policy)
{
    FakeCache fake(4, policy);
    for (u64 number : { 1, 2, 3, 4, 5 })
        REQUIRE(fake.read(number));
    std::vector<u64> all { 1, 2, 3, 4, 5, 6 };
    if (!fake.cached(5))
        FAIL("the block just read (5) is not in the cache");
    if (fake.cached(1)) {
        FAIL("reading 1 2 3 4 5 into 4 blocks left " << cached_set(fake, all) << ": block 1, the least recently used, "
             "should have made room"
             << (fake.cached(4) ? "" : "; evicting 4, the most recently used before 5, is MRU, not LRU"));
    }
    REQUIRE(fake.read(2));   // a hit: 2 becomes the most recently used
    REQUIRE(fake.read(6));   // must evict 3 now
    if (cached_set(fake, all) != "2 4 5 6")
        FAIL("after 1 2 3 4 5, then 2 (a hit) and 6, the cache holds " << cached_set(fake, all) << ", expected 2 4 5 6"
             << (fake.cached(3) && !fake.cached(2) ? ": that is FIFO, a hit must make a block the most recently used" : ""));
    require_no_violations(fake);
}

// Reads `pattern` through a cache of `capacity` and returns (hits, misses).
inline std::pair<u64, u64> hits_for(CachePolicy const& policy, u32 capacity, std::vector<u64> const& pattern)
{
    FakeCache fake(capacity, policy);
    for (u64 number : pattern) {
        if (!fake.read(number))
            FAIL("reading block " << number << " failed");
    }
    require_no_violations(fake);
    auto stats = fake.cache->stats();
    return { stats.hits, stats.misses };
}

inline void check_hit_ratios(CachePolicy const& policy)
{
    std::vector<u64> loop4, loop5, hot;
    for (int round = 0; round < 10; ++round) {
        for (u64 b = 0; b < 4; ++b)
            loop4.push_back(b);
        for (u64 b = 0; b < 5; ++b)
            loop5.push_back(b);
    }
    hot.push_back(100);
    for (u64 i = 0; i < 20; ++i) {   // a hot block between the blocks of a long scan
        hot.push_back(100);
        hot.push_back(i);
    }
    auto [loop4_hits, loop4_misses] = hits_for(policy, 4, loop4);
    if (loop4_hits != 36 || loop4_misses != 4)
        FAIL("a loop over 4 blocks, 10 times, in a cache of 4: " << loop4_hits << " hits and " << loop4_misses
             << " misses, expected 36 and 4 (once loaded, nothing should leave)");
    auto [loop5_hits, loop5_misses] = hits_for(policy, 4, loop5);
    if (loop5_hits != 0)
        FAIL("a loop over 5 blocks in a cache of 4: " << loop5_hits << " hits, expected 0 (LRU always evicts the "
             "block the loop needs next: its known weakness); a policy with hits here is not LRU");
    (void)loop5_misses;
    auto [hot_hits, hot_misses] = hits_for(policy, 4, hot);
    if (hot_hits != 20)
        FAIL("a hot block read between every block of a 20-block scan, cache of 4: " << hot_hits << " hits, expected 20 "
             "(LRU keeps the hot block; FIFO or MRU lose it)");
    (void)hot_misses;
}

inline void check_dirty_written_before_eviction(CachePolicy const& policy)
{
    FakeCache fake(4, policy);
    for (u64 number = 0; number < 40; ++number) {
        if (!fake.write(number, u8(number + 1)))
            FAIL("writing block " << number << " into a full cache failed: eviction must make room");
    }
    u64 on_disk = 0;
    for (u64 number = 0; number < 40; ++number)
        on_disk += fake.on_disk(number, u8(number + 1));
    // 40 blocks through 4: at least 36 had to leave, and each had to be written first.
    if (on_disk < 36)
        FAIL("40 blocks written through a cache of 4, and only " << on_disk << " are on the disk before any sync: "
             "a dirty block was evicted without being written back, and its data is lost");
    require_no_violations(fake);
    auto synced = fake.cache->sync(fake.device());
    if (synced.is_error())
        FAIL("sync failed: " << synced.error().name());
    for (u64 number = 0; number < 40; ++number) {
        if (!fake.on_disk(number, u8(number + 1)))
            FAIL("block " << number << " is not on the disk after sync: its data was lost");
    }
}

inline void check_pinned_never_evicted(CachePolicy const& policy)
{
    FakeCache fake(4, policy);
    auto held = fake.cache->get(fake.device(), 7);
    REQUIRE(!held.is_error());
    CacheBlock* block = held.value();
    for (u64 number = 20; number < 30; ++number) {
        if (!fake.read(number))
            FAIL("reading block " << number << " failed although three blocks were free to evict");
    }
    if (block->device != fake.device() || block->number != 7)
        FAIL("block 7 was evicted while a user held it (pinned): it now holds block " << block->number);
    // Everything pinned: a clear ENOMEM, not a crash and not a pinned block.
    std::vector<CacheBlock*> pins;
    for (u64 number = 40; number < 43; ++number) {
        auto got = fake.cache->get(fake.device(), number);
        REQUIRE(!got.is_error());
        pins.push_back(got.value());
    }
    auto none = fake.cache->get(fake.device(), 50);
    if (!none.is_error())
        FAIL("with every block pinned, the cache still found room for block 50: it evicted a block in use");
    CHECK(none.error().code() == ENOMEM);
    for (CacheBlock* pinned : pins)
        fake.cache->release(*pinned, false);
    fake.cache->release(*block, false);
    require_no_violations(fake);
}

inline void check_eviction_write_error_keeps_data(CachePolicy const& policy)
{
    FakeCache fake(4, policy);
    fake.disk.failing_writes.insert(3);
    REQUIRE(fake.write(3, 0x33));
    for (u64 number = 10; number < 20; ++number)
        (void)fake.read(number);   // some of these may fail with EIO: block 3 cannot leave
    CacheBlock* three = fake.cached(3);
    if (!three || !three->dirty || three->data[0] != 0x33)
        FAIL("block 3's write failed during eviction and its data left the cache: it is lost");
    fake.disk.failing_writes.clear();
    REQUIRE(!fake.cache->sync(fake.device()).is_error());
    if (!fake.on_disk(3, 0x33))
        FAIL("block 3 is not on the disk after the disk recovered and sync ran");
    require_no_violations(fake);
}

// --- Part 4: write-back --------------------------------------------------------------------------

inline void check_sync_writes_everything(CachePolicy const& policy)
{
    FakeCache fake(16, policy);
    for (u64 number = 0; number < 10; ++number)
        REQUIRE(fake.write(number, u8(0x40 + number)));
    CHECK(fake.cache->stats().dirty == 10);
    auto synced = fake.cache->sync(fake.device());
    if (synced.is_error())
        FAIL("sync of 10 dirty blocks failed: " << synced.error().name());
    for (u64 number = 0; number < 10; ++number) {
        if (!fake.on_disk(number, u8(0x40 + number)))
            FAIL("block " << number << " is not on the disk after sync returned");
    }
    if (fake.cache->stats().dirty != 0)
        FAIL(fake.cache->stats().dirty << " blocks are still dirty after a successful sync");
    CHECK(fake.disk.written.size() == 10);   // each once
    require_no_violations(fake);
}

inline void check_write_error_keeps_dirty(CachePolicy const& policy)
{
    FakeCache fake(16, policy);
    for (u64 number = 1; number <= 5; ++number)
        REQUIRE(fake.write(number, u8(0x50 + number)));
    fake.disk.failing_writes.insert(3);
    auto synced = fake.cache->sync(fake.device());
    require_no_violations(fake);
    if (!synced.is_error())
        FAIL("sync reported success although the disk failed the write of block 3");
    CacheBlock* three = fake.cached(3);
    if (!three || !three->dirty)
        FAIL("the write of block 3 failed, but the block is no longer dirty in the cache: its data would never "
             "reach the disk");
    fake.disk.failing_writes.clear();
    auto again = fake.cache->sync(fake.device());
    if (again.is_error())
        FAIL("sync after the disk recovered failed: " << again.error().name());
    for (u64 number = 1; number <= 5; ++number) {
        if (!fake.on_disk(number, u8(0x50 + number)))
            FAIL("block " << number << " is not on the disk after the second sync");
    }
    require_no_violations(fake);
}

inline void check_write_back_selects(CachePolicy const& policy)
{
    FakeCache fake(16, policy);
    for (u64 number = 0; number < 10; ++number) {
        fake.disk.now = number * 100;   // block n became dirty at time 100 n
        REQUIRE(fake.write(number, u8(0x60 + number)));
    }
    auto held = fake.cache->get(fake.device(), 1);   // in use: must be left alone
    REQUIRE(!held.is_error());
    auto old = fake.cache->write_back({ .dirtied_before_ns = 450 });   // 0 .. 4, but not 1
    REQUIRE(!old.is_error());
    std::vector<u64> expected { 0, 2, 3, 4 };
    std::vector<u64> written = fake.disk.written;
    std::sort(written.begin(), written.end());
    if (written != expected) {
        std::ostringstream text;
        for (u64 number : written)
            text << number << " ";
        FAIL("a write-back of blocks dirty since before t=450 (0 to 4), with block 1 in use, wrote " << text.str()
             << "instead of 0 2 3 4");
    }
    CHECK(old.value() == 4);
    fake.cache->release(*held.value(), false);
    fake.disk.written.clear();
    auto two = fake.cache->write_back({ .max_blocks = 2 });
    REQUIRE(!two.is_error());
    if (fake.disk.written.size() != 2)
        FAIL("a write-back of at most 2 blocks wrote " << fake.disk.written.size());
    require_no_violations(fake);
}

}
