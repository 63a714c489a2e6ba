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
