// Lab 8, parts 3 and 4, on the host: your buffer cache policy (kernel/block/cache_policy.cpp)
// over a fake disk (the checks are in cache_checks.h). `make unit-tests UNIT_ARGS='[lab8]'`.
#include "cache_checks.h"

using namespace lab8;

TEST_CASE("lab 8 part 3: the least recently used block makes room, and a hit makes a block recent", "[.lab8][evict]")
{
    check_lru_victims(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 3: hit ratios of a loop, a loop too big, and a hot block in a scan", "[.lab8][evict]")
{
    check_hit_ratios(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 3: a dirty block is written back before it is evicted", "[.lab8][evict]")
{
    check_dirty_written_before_eviction(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 3: a block in use is never evicted; all in use is ENOMEM", "[.lab8][evict]")
{
    check_pinned_never_evicted(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 3: a block whose write-back failed stays cached and dirty", "[.lab8][evict]")
{
    check_eviction_write_error_keeps_data(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 4: sync writes every dirty block once and leaves them clean", "[.lab8][writeback]")
{
    check_sync_writes_everything(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 4: a failed write keeps the block dirty and sync reports it", "[.lab8][writeback]")
{
    check_write_error_keeps_dirty(block::lru_write_back_policy);
}

TEST_CASE("lab 8 part 4: write-back takes what the filter selects, and never a block in use", "[.lab8][writeback]")
{
    check_write_back_selects(block::lru_write_back_policy);
}
