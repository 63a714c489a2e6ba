// Lab 7's host tests: the e1000's rings, top half and poll against the register-level model
// (e1000_model.h), through the scenarios of e1000_scenarios.h. The model names what a driver
// did wrong (a tail moved before its descriptor was written, a buffer the NIC owns that was
// freed or changed, ICR left unread, a budget exceeded); lab/07-e1000/rubric.toml grades these
// with `host_test`.
#include "../support.h"
#include "e1000_scenarios.h"

using namespace models::e1000_scenarios;

namespace {

std::string listed(Problems const& problems)
{
    std::string text;
    for (auto const& p : problems)
        text += "\n  - " + p;
    return text;
}

}

TEST_CASE("e1000 TX ring: descriptor before tail, frames intact and in order, DD reclaimed, full ring says EBUSY",
          "[e1000][tx]")
{
    Problems problems = transmit(e1000::driver_ring_ops);
    INFO("problems:" << listed(problems));
    REQUIRE(problems.empty());
}

TEST_CASE("e1000 RX ring: frames handed up intact, at most the budget per call, refilled, exhaustion noticed",
          "[e1000][rx]")
{
    for (u32 budget : { 1u, 8u, 64u }) {
        Problems problems = receive(e1000::driver_ring_ops, budget);
        INFO("budget " << budget << ", problems:" << listed(problems));
        REQUIRE(problems.empty());
    }
}

TEST_CASE("e1000 NAPI: the top half reads ICR, masks and schedules; polls keep the budget; the last one rearms",
          "[e1000][napi]")
{
    for (u32 budget : { 8u, 16u }) {
        Problems problems = napi(e1000::driver_napi_ops, budget);
        INFO("budget " << budget << ", problems:" << listed(problems));
        REQUIRE(problems.empty());
    }
}
