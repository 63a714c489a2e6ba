// The e1000 and the stack against the grader's wire (the `net` peer, tests/kernel/rubric.toml):
// the host pings the guest and exchanges UDP with it, with payloads it picks per run, and checks
// every reply and a packet capture. The guest side only has to keep answering until the peer
// says it is done; the evidence is the host's.
#include "../../lab/07-e1000/tests/net_test_support.h"
#include <kernel/net/echo.h>
#include <kernel/net/net.h>
#include <kernel/test.h>

using namespace net_test;

namespace {

// Answers the peer's pings and echoes its datagrams until it says it is done.
ErrorOr<void> serve(char const* test)
{
    TRY(eth0_configured());
    auto control = EXPECT_OK(control_socket());
    (void)net::start_udp_echo(ECHO_PORT);   // EALREADY when net.echo started it
    announce_ready(test);
    EXPECT_OK(wait_for_peer(*control, "done"));
    net::EchoStats echo = net::udp_echo_stats();
    ktest::note("udp echo: %lu datagrams echoed, %lu send errors, %lu queue drops", echo.echoed,
                echo.send_errors, echo.queue_drops);
    net::stop_udp_echo();
    return {};
}

}

KTEST(net_wire_ping_echo, CORE_SUITE) { return serve("net_wire_ping_echo"); }
// The other chips of the family QEMU offers (the 82544GC reads its EEPROM by Microwire), the
// other machine and interrupt controller, and the driver without NAPI.
KTEST(net_wire_82544gc, CORE_SUITE) { return serve("net_wire_82544gc"); }
KTEST(net_wire_82545em, CORE_SUITE) { return serve("net_wire_82545em"); }
KTEST(net_wire_napi_off, CORE_SUITE) { return serve("net_wire_napi_off"); }
