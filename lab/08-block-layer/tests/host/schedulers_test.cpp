// Lab 8, parts 1 and 2, on the host: your elevator's and deadline's choice of the next request
// (kernel/block/elevator.cpp, kernel/block/deadline.cpp) against scripted request streams
// (the checks are in scheduler_checks.h). Run them with `make unit-tests UNIT_ARGS='[lab8]'`.
#include "scheduler_checks.h"

using namespace lab8;

TEST_CASE("lab 8 part 1: the elevator serves the textbook queue in LOOK order", "[.lab8][elevator]")
{
    check_elevator_textbook(block::elevator_next);
}

TEST_CASE("lab 8 part 1: the elevator keeps its direction, then turns", "[.lab8][elevator]")
{
    check_elevator_turns(block::elevator_next);
}

TEST_CASE("lab 8 part 1: the elevator picks up requests that arrive during the sweep", "[.lab8][elevator]")
{
    check_elevator_arrivals(block::elevator_next);
}

TEST_CASE("lab 8 part 1: an empty queue gives nothing, a lone request is taken wherever it is", "[.lab8][elevator]")
{
    check_elevator_edges(block::elevator_next);
}

TEST_CASE("lab 8 part 2: with nothing expired, deadline serves in C-LOOK order", "[.lab8][deadline]")
{
    check_deadline_clook(block::deadline_next);
}

TEST_CASE("lab 8 part 2: an expired request goes first, at the first choice after its deadline", "[.lab8][deadline]")
{
    check_deadline_expired_first(block::deadline_next);
}

TEST_CASE("lab 8 part 2: of several expired requests, the one that expired first", "[.lab8][deadline]")
{
    check_deadline_earliest_expired(block::deadline_next);
}

TEST_CASE("lab 8 part 2: a read under a stream of writes waits no longer than its expiry", "[.lab8][deadline]")
{
    check_deadline_read_bound(block::deadline_next);
}

TEST_CASE("lab 8 part 2: a write under a stream of reads waits no longer than its expiry", "[.lab8][deadline]")
{
    check_deadline_write_bound(block::deadline_next);
}
