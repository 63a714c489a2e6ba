// The buffer cache's core (kernel/block/cache_core.cpp) over lab 8's fake disk: hits and misses,
// read-ahead on sequential reads, overwrites that need no read, read errors, invalidation and a
// disk going away. The cache is big enough that nothing is evicted and nothing is synced, so
// these tests do not depend on the policy (lab 8's, tested in lab/08-block-layer/tests/host).
#include "support.h"
#include "../../lab/08-block-layer/tests/host/fake_disk.h"

using namespace lab8;

TEST_CASE("a second read of a block is a hit; blocks outside the disk are refused", "[block][cache]")
{
    FakeCache fake(64, block::lru_write_back_policy);
    REQUIRE(fake.read(5));
    REQUIRE(fake.read(5));
    auto stats = fake.cache->stats();
    CHECK(stats.misses == 1);
    CHECK(stats.hits == 1);
    CHECK(stats.blocks == 1);
    auto outside = fake.cache->get(fake.device(), fake.disk.blocks);
    REQUIRE(outside.is_error());
    CHECK(outside.error().code() == EINVAL);
    auto block = fake.cache->get(fake.device(), 5);
    REQUIRE(!block.is_error());
    CHECK(block.value()->data[0] == FakeDisk::old_byte(5));   // the disk's contents
    fake.cache->release(*block.value(), false);
}

TEST_CASE("sequential reads start read-ahead, and the blocks read ahead are hits", "[block][cache]")
{
    FakeCache fake(64, block::lru_write_back_policy);
    fake.cache->set_read_ahead(8);
    for (u64 number = 0; number < 32; ++number)
        REQUIRE(fake.read(number));
    auto stats = fake.cache->stats();
    // Block 0 and block 1 miss; reading 1 right after 0 reads 2..9 ahead, 9 reads 10..17, ...
    CHECK(stats.misses == 2);
    CHECK(stats.hits == 30);
    CHECK(stats.read_ahead_hits == 30);
    CHECK(stats.read_ahead_issued >= 30);
    CHECK(stats.read_ahead_issued <= 38);
    // Random reads do not read ahead.
    fake.cache->reset_stats();
    for (u64 number : { 100, 140, 120, 101 + 80 })
        REQUIRE(fake.read(number));
    CHECK(fake.cache->stats().read_ahead_issued == 0);
}

TEST_CASE("an overwrite of a whole block reads nothing from the disk", "[block][cache]")
{
    FakeCache fake(64, block::lru_write_back_policy);
    REQUIRE(fake.write(9, 0x99));
    CHECK(fake.disk.in_flight.empty());
    CHECK(fake.cache->stats().misses == 1);
    CacheBlock* nine = fake.cached(9);
    REQUIRE(nine);
    CHECK(nine->dirty);
    CHECK(nine->valid);
    CHECK(nine->data[100] == 0x99);
    CHECK(fake.on_disk(9, FakeDisk::old_byte(9)));   // not written back yet
    CHECK(fake.cache->stats().dirty == 1);
}

TEST_CASE("invalidate drops clean blocks only; a departing disk loses its dirty ones, counted", "[block][cache]")
{
    FakeCache fake(64, block::lru_write_back_policy);
    for (u64 number = 0; number < 6; ++number)
        REQUIRE(fake.read(number));
    REQUIRE(fake.write(2, 0x22));
    fake.cache->invalidate(fake.device(), 1, 3);   // blocks 1, 2, 3: 2 is dirty and stays
    CHECK(fake.cached(0));
    CHECK(!fake.cached(1));
    CHECK(fake.cached(2));
    CHECK(!fake.cached(3));
    CHECK(fake.cached(4));
    CHECK(fake.cache->drop_device(fake.device()) == 1);
    CHECK(fake.cache->stats().blocks == 0);
    CHECK(fake.cache->stats().dirty == 0);
}

TEST_CASE("several interleaved sequential readers each get read-ahead", "[block][cache]")
{
    FakeCache fake(128, block::lru_write_back_policy);
    fake.cache->set_read_ahead(8);
    for (u64 step = 0; step < 16; ++step) {
        for (u64 stream = 0; stream < 4; ++stream)
            REQUIRE(fake.read(stream * 40 + step));
    }
    auto stats = fake.cache->stats();
    CHECK(stats.misses == 8);          // the first two blocks of each stream
    CHECK(stats.read_ahead_hits == 56);
}
