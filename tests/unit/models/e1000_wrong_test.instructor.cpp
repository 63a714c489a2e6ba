// The grader's self-tests for lab 7's host tests: each purpose-made wrong driver
// (drivers/net/e1000/wrong_drivers.instructor.cpp) must fail the scenario that names its bug,
// with a problem that says what the bug is. Never in a handout.
#include "../support.h"
#include "e1000_scenarios.h"

using namespace models::e1000_scenarios;

namespace {

bool names(Problems const& problems, char const* words)
{
    for (auto const& p : problems) {
        if (p.find(words) != std::string::npos)
            return true;
    }
    return false;
}

std::string listed(Problems const& problems)
{
    std::string text;
    for (auto const& p : problems)
        text += "\n  - " + p;
    return text;
}

e1000::RingOps const& ring(char const* name)
{
    auto const* ops = e1000::wrong_ring_ops(name);
    REQUIRE(ops != nullptr);
    return *ops;
}

e1000::NapiOps const& napi_ops(char const* name)
{
    auto const* ops = e1000::wrong_napi_ops(name);
    REQUIRE(ops != nullptr);
    return *ops;
}

}

TEST_CASE("e1000 self-test: tail advanced before the descriptor is written", "[e1000-selftest]")
{
    Problems p = transmit(ring("tail_first"));
    INFO(listed(p));
    REQUIRE(names(p, "the tail was advanced before the descriptor was written"));
}

TEST_CASE("e1000 self-test: DD not checked on receive", "[e1000-selftest]")
{
    Problems p = receive(ring("rx_no_dd"), 8);
    INFO(listed(p));
    REQUIRE(names(p, "frames handed up"));
}

TEST_CASE("e1000 self-test: TX buffer freed while the NIC owns it", "[e1000-selftest]")
{
    Problems p = transmit(ring("tx_free_early"));
    INFO(listed(p));
    REQUIRE(names(p, "unmapped or freed while the NIC owned it"));
}

TEST_CASE("e1000 self-test: RX buffer handed up and reused while the NIC owns it", "[e1000-selftest]")
{
    Problems p = receive(ring("rx_buffer_reuse"), 8);
    INFO(listed(p));
    REQUIRE(names(p, "a buffer handed up must be replaced before its descriptor goes back"));
}

TEST_CASE("e1000 self-test: RDH polled instead of DD", "[e1000-selftest]")
{
    Problems p = receive(ring("rdh_busy_poll"), 8);
    INFO(listed(p));
    REQUIRE(names(p, "the driver read RDH/TDH"));
}

TEST_CASE("e1000 self-test: ICR not read in the top half", "[e1000-selftest]")
{
    Problems p = napi(napi_ops("icr_not_read"), 8);
    INFO(listed(p));
    REQUIRE(names(p, "read ICR, which acknowledges the causes"));
}

TEST_CASE("e1000 self-test: the poll ignores its budget", "[e1000-selftest]")
{
    Problems p = napi(napi_ops("budget_ignored"), 8);
    INFO(listed(p));
    REQUIRE(names(p, "frames with a budget of 8"));
}
