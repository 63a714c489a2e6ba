// The grader's self-tests of lab 8's host checks (instructor-only): each runs the lab's check
// against a purpose-made wrong scheduler (kernel/block/wrong_schedulers.instructor.cpp) and must
// fail with the message that names the mistake. tests/kernel/rubric.toml runs them with
// expect_outcome = "fail" and the expected reason.
#include "scheduler_checks.h"

namespace block::wrong {
QueueEntry* elevator_sstf_next(SchedulerQueue& queue);
QueueEntry* elevator_no_turn_next(SchedulerQueue& queue);
QueueEntry* deadline_ignores_expiry_next(SchedulerQueue& queue);
QueueEntry* deadline_reads_only_next(SchedulerQueue& queue);
}

using namespace lab8;

TEST_CASE("self-test: an SSTF elevator fails the direction check", "[.selftest_lab8][elevator_sstf]")
{
    check_elevator_turns(block::wrong::elevator_sstf_next);
}

TEST_CASE("self-test: an elevator that wraps fails the textbook order", "[.selftest_lab8][elevator_no_turn]")
{
    check_elevator_textbook(block::wrong::elevator_no_turn_next);
}

TEST_CASE("self-test: a deadline scheduler without expiry starves the read", "[.selftest_lab8][deadline_ignores_expiry]")
{
    check_deadline_read_bound(block::wrong::deadline_ignores_expiry_next);
}

TEST_CASE("self-test: a deadline scheduler where only reads expire starves the write", "[.selftest_lab8][deadline_reads_only]")
{
    check_deadline_write_bound(block::wrong::deadline_reads_only_next);
}

TEST_CASE("self-test: the stub (fifo) fails the elevator and deadline orders", "[.selftest_lab8][stub_fifo]")
{
    check_elevator_textbook(block::fifo_next);
}

#include "cache_checks.h"

namespace block::wrong {
extern CachePolicy const cache_mru, cache_evicts_dirty, cache_evicts_pinned, cache_clean_too_early;
}

TEST_CASE("self-test: an MRU cache fails the LRU victim check, named MRU", "[.selftest_lab8][cache_mru]")
{
    check_lru_victims(block::wrong::cache_mru);
}

TEST_CASE("self-test: a cache that evicts dirty blocks unwritten loses data", "[.selftest_lab8][cache_evicts_dirty]")
{
    check_dirty_written_before_eviction(block::wrong::cache_evicts_dirty);
}

TEST_CASE("self-test: a cache that evicts pinned blocks fails the pin check", "[.selftest_lab8][cache_evicts_pinned]")
{
    check_pinned_never_evicted(block::wrong::cache_evicts_pinned);
}

TEST_CASE("self-test: a cache that cleans blocks when their write starts fails the error check", "[.selftest_lab8][cache_clean_too_early]")
{
    check_write_error_keeps_dirty(block::wrong::cache_clean_too_early);
}
