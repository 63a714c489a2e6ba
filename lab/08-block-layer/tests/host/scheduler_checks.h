#pragma once
// Lab 8, parts 1 and 2: the checks of the elevator's and the deadline scheduler's choice, each a
// function of the choice under test, so that the same checks run against your code
// (schedulers_test.cpp) and against purpose-made wrong schedulers (the grader's self-tests).
//
// Each expected order is written out. When the order is wrong but matches a well-known other
// policy, the failure names it.
#include "stream.h"
#include <catch2/catch.hpp>
#include <utility>

namespace lab8 {

// The textbook queue (cylinders there, sectors here): head at 53, requests in this order.
inline std::vector<u64> const TEXTBOOK { 98, 183, 37, 122, 14, 124, 65, 67 };
// A queue on which LOOK, C-LOOK, SSTF and FIFO all differ: head at 102, going up.
inline std::vector<u64> const FOUR_WAY { 110, 90, 140, 60 };

using Known = std::vector<std::pair<std::vector<u64>, char const*>>;

inline Known const TEXTBOOK_KNOWN {
    { { 98, 183, 37, 122, 14, 124, 65, 67 }, "arrival order (fifo): the choice ignores the sectors" },
    { { 65, 67, 98, 122, 124, 183, 14, 37 }, "C-LOOK: after the top it wraps to the lowest sector instead of turning round" },
    { { 37, 14, 65, 67, 98, 122, 124, 183 }, "LOOK going down first: the sweep starts in the direction the queue says (up)" },
    { { 14, 37, 65, 67, 98, 122, 124, 183 }, "ascending sector order from 0: the head position is ignored" },
    { { 65, 67, 98, 122, 124, 183, 37, 14 }, "LOOK" },
};

inline Known const FOUR_WAY_KNOWN {
    { { 110, 90, 140, 60 }, "arrival order (fifo): the choice ignores the sectors" },
    { { 110, 90, 60, 140 }, "SSTF (shortest seek first, in either direction): LOOK keeps its direction until nothing is left ahead" },
    { { 110, 140, 60, 90 }, "C-LOOK: it wraps round to the lowest sector instead of turning" },
    { { 110, 140, 90, 60 }, "LOOK" },
    { { 60, 90, 110, 140 }, "ascending sector order from 0: the head position is ignored" },
};

inline std::string name_of(std::vector<u64> const& order, Known const& known)
{
    for (auto const& [sectors, name] : known) {
        if (sectors == order)
            return name;
    }
    return "an order that matches no known policy";
}

// Fails with a message that names what the scheduler did instead of `expected`.
inline void require_order(Run const& run, std::vector<u64> const& expected, Known const& known, char const* what)
{
    if (!run.problem.empty())
        FAIL(what << ": " << run.problem);
    if (run.sectors() != expected)
        FAIL(what << ": served " << text(run.sectors()) << ", expected " << text(expected) << "; that is "
                  << name_of(run.sectors(), known));
    SUCCEED(what);
}

// --- Part 1: the elevator (LOOK) ---------------------------------------------------------------

inline void check_elevator_textbook(ChooseNext elevator)
{
    Run fifo = play(block::fifo_next, at_once(TEXTBOOK), { .head = 53 });
    Run look = play(elevator, at_once(TEXTBOOK), { .head = 53 });
    require_order(look, { 65, 67, 98, 122, 124, 183, 37, 14 }, TEXTBOOK_KNOWN, "elevator, head 53 going up");
    // The head's travel: 12+1+30+23+1+58 up, 147+24 down; fifo travels 639.
    CHECK(look.seek == 296);
    CHECK(fifo.seek == 639);
}

inline void check_elevator_turns(ChooseNext elevator)
{
    require_order(play(elevator, at_once(FOUR_WAY), { .head = 102 }), { 110, 140, 90, 60 }, FOUR_WAY_KNOWN,
        "elevator, head 102 going up");
    Run down = play(elevator, at_once(TEXTBOOK), { .head = 53, .direction = Direction::Down });
    if (down.sectors() != std::vector<u64> { 37, 14, 65, 67, 98, 122, 124, 183 })
        FAIL("elevator, head 53 going down: served " << text(down.sectors())
             << ", expected 37 14 65 67 98 122 124 183 (down first, then turn and sweep up)");
}

inline void check_elevator_arrivals(ChooseNext elevator)
{
    // Head 50 going up, 60 80 20 queued. While 60 is served, 55 (behind the head) and 90 (ahead)
    // arrive: the sweep takes 80 and 90, turns, then 55 and 20.
    std::vector<Arrival> stream { { 0, BlockOp::Read, 60 }, { 0, BlockOp::Write, 80 }, { 0, BlockOp::Read, 20 },
        { 500, BlockOp::Read, 55 }, { 500, BlockOp::Write, 90 } };
    require_order(play(elevator, stream, { .head = 50, .service_ns = 1000 }), { 60, 80, 90, 55, 20 }, {},
        "elevator with arrivals during the sweep");
    // Reads and writes are the same to the elevator; equal sectors go oldest first.
    std::vector<Arrival> ties { { 0, BlockOp::Write, 30 }, { 0, BlockOp::Read, 30 }, { 0, BlockOp::Read, 10 } };
    Run tied = play(elevator, ties, { .head = 40, .direction = Direction::Down });
    REQUIRE(tied.served.size() == 3);
    CHECK(tied.served[0].index == 0);
    CHECK(tied.served[1].index == 1);
    CHECK(tied.served[2].sector == 10);
}

inline void check_elevator_edges(ChooseNext elevator)
{
    SchedulerQueue queue;
    CHECK(elevator(queue) == nullptr);
    for (Direction direction : { Direction::Up, Direction::Down }) {
        for (u64 head : { 0ull, 500ull, 1000ull }) {
            Run run = play(elevator, at_once({ 500 }), { .head = head, .direction = direction });
            REQUIRE(run.problem.empty());
            CHECK(run.sectors() == std::vector<u64> { 500 });
        }
    }
}

// --- Part 2: deadline --------------------------------------------------------------------------

inline void check_deadline_clook(ChooseNext deadline)
{
    Run clook = play(deadline, at_once(TEXTBOOK), { .head = 53 });
    require_order(clook, { 65, 67, 98, 122, 124, 183, 14, 37 }, TEXTBOOK_KNOWN, "deadline, head 53, nothing expired");
    CHECK(clook.seek == 317);   // 125 up, 170 back to 14, 22 to 37
    require_order(play(deadline, at_once(FOUR_WAY), { .head = 102 }), { 110, 140, 60, 90 }, FOUR_WAY_KNOWN,
        "deadline, head 102, nothing expired");
    // C-LOOK has no direction: the queue's direction does not matter.
    Run down = play(deadline, at_once(TEXTBOOK), { .head = 53, .direction = Direction::Down });
    CHECK(down.sectors() == clook.sectors());
}

inline void check_deadline_expired_first(ChooseNext deadline)
{
    // At t = 0 a write at 10 and a read at 5, behind the head; then a stream of reads ahead of
    // the head. Expiry: reads 5 us, writes 3 us; each request takes 1 us. C-LOOK serves 100,
    // 101, 102 (t = 0, 1, 2); at t = 3 the write has expired; at t = 4 nothing else has (the read
    // expires at 5) and C-LOOK goes on above the head; at t = 5 the read.
    std::vector<Arrival> stream { { 0, BlockOp::Write, 10 }, { 0, BlockOp::Read, 5 } };
    for (u64 i = 0; i < 12; ++i)
        stream.push_back({ i * 1000, BlockOp::Read, 100 + i });
    Run run = play(deadline, stream, { .head = 100, .service_ns = 1000, .read_expire_ns = 5000, .write_expire_ns = 3000 });
    REQUIRE(run.problem.empty());
    std::vector<u64> served = run.sectors();
    std::vector<u64> first_seven(served.begin(), served.begin() + 7);
    if (first_seven != std::vector<u64> { 100, 101, 102, 10, 103, 5, 104 })
        FAIL("deadline: served " << text(first_seven) << " first; expected 100 101 102 10 103 5 104 (the write at 10 "
             "expires at 3 us, the read at 5 at 5 us: each must go at the first choice after its deadline, and "
             "not before)");
}

inline void check_deadline_earliest_expired(ChooseNext deadline)
{
    // t=0: only the write is queued -> 500. t=100: both reads expired (at 60), the write is
    // gone -> the oldest read, 400; then 900.
    std::vector<Arrival> later { { 0, BlockOp::Write, 500 }, { 50, BlockOp::Read, 400 }, { 50, BlockOp::Read, 900 } };
    require_order(play(deadline, later, { .head = 600, .service_ns = 100, .read_expire_ns = 10, .write_expire_ns = 20 }),
        { 500, 400, 900 }, {}, "deadline, two expired reads");
    // t=0: nothing expired; C-LOOK from 800 wraps to 500. t=100: the read at 700 expired at 40,
    // the read at 400 at 70: 700 first (the earlier deadline), then 400.
    std::vector<Arrival> both { { 0, BlockOp::Write, 500 }, { 0, BlockOp::Read, 700 }, { 30, BlockOp::Read, 400 } };
    require_order(play(deadline, both, { .head = 800, .service_ns = 100, .read_expire_ns = 40, .write_expire_ns = 20 }),
        { 500, 700, 400 }, {}, "deadline, of two expired reads the older first");
    // A write whose deadline passed before the reads' (t=5 against t=40): at t=100 the write goes
    // first, although reads are usually the hurry; then the older read (950), then 100.
    std::vector<Arrival> old_write { { 0, BlockOp::Write, 300 }, { 0, BlockOp::Read, 900 }, { 0, BlockOp::Read, 950 },
        { 90, BlockOp::Read, 100 } };
    require_order(play(deadline, old_write, { .head = 900, .service_ns = 100, .read_expire_ns = 40, .write_expire_ns = 5 }),
        { 900, 300, 950, 100 }, {}, "deadline, a write that expired before the reads");
}

// A stream: `victim` (one request of the other direction) arrives at 5 ms, far below the head,
// while requests of `stream_op` keep arriving just ahead of the head, one per millisecond, each
// taking 1 ms. Returns how long the victim waited.
inline u64 victim_wait(ChooseNext next, BlockOp stream_op, u64 expire_ns)
{
    BlockOp victim_op = stream_op == BlockOp::Write ? BlockOp::Read : BlockOp::Write;
    std::vector<Arrival> stream;
    for (u64 i = 0; i < 400; ++i) {
        if (i == 5)
            stream.push_back({ 5'000'000, victim_op, 0, 8 });
        stream.push_back({ i * 1'000'000, stream_op, 1000 + 8 * i, 8 });
    }
    Disk disk { .head = 1000, .service_ns = 1'000'000, .read_expire_ns = expire_ns, .write_expire_ns = expire_ns };
    Run run = play(next, stream, disk);
    if (!run.problem.empty())
        FAIL(run.problem);
    return run.served_at(5) - 5'000'000;
}

inline void check_deadline_read_bound(ChooseNext deadline)
{
    // The elevator never turns round while the writes keep coming: the read starves for the
    // whole stream. Deadline serves it at the first choice after its expiry.
    u64 waited = victim_wait(deadline, BlockOp::Write, 50'000'000);
    if (waited > 51'000'000)
        FAIL("deadline: a read under a stream of writes waited " << waited / 1000 << " us, more than its expiry "
             "of 50000 us plus one request (1000 us): an expired read must be served at the next choice");
}

inline void check_deadline_write_bound(ChooseNext deadline)
{
    u64 waited = victim_wait(deadline, BlockOp::Read, 50'000'000);
    if (waited > 51'000'000)
        FAIL("deadline: a write under a stream of reads waited " << waited / 1000 << " us, more than its expiry "
             "of 50000 us plus one request: writes expire too (later than reads), and then they go first");
}

}
