// The network from user space: user/bin/ping, through the ping system call, pings QEMU's
// user-network gateway over the e1000 and reports each reply and a summary; an address on the
// link that nobody answers ARP for gives "Destination Host Unreachable" and exit status 1.
// The rubric's net peer checks the echo requests and replies in the capture.
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/net/net.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

KTEST(user_ping_gateway, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 10 * time::NS_PER_S));
    char const* gateway[] = { "ping", "-c", "3", "10.0.2.2" };
    auto run = TRY(user_test::run(gateway));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, "PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n");
    EXPECT_OUTPUT(run, "64 bytes from 10.0.2.2: icmp_seq=1 ttl=");
    EXPECT_OUTPUT(run, "64 bytes from 10.0.2.2: icmp_seq=2 ttl=");
    EXPECT_OUTPUT(run, "64 bytes from 10.0.2.2: icmp_seq=3 ttl=");
    EXPECT_OUTPUT(run, "--- 10.0.2.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time ");
    EXPECT_OUTPUT(run, "rtt min/avg/max = ");
    char const* largest[] = { "ping", "-c", "1", "-s", "1472", "10.0.2.2" };
    run = TRY(user_test::run(largest));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, "1480 bytes from 10.0.2.2: icmp_seq=1 ttl=");

    // QEMU's user network answers ARP only for its own addresses (gateway, DNS).
    char const* absent[] = { "ping", "-c", "1", "10.0.2.99" };
    run = TRY(user_test::run(absent));
    EXPECT_EXIT(run, 1);
    EXPECT_OUTPUT(run, "From 10.0.2.99 icmp_seq=1 Destination Host Unreachable\n");
    EXPECT_OUTPUT(run, "1 packets transmitted, 0 received, 100% packet loss");

    char const* oversized[] = { "ping", "-c", "1", "-s", "1473", "10.0.2.2" };
    run = TRY(user_test::run(oversized));
    EXPECT_EXIT(run, 2);
    EXPECT_OUTPUT(run, "ping: 10.0.2.2: EINVAL");
    char const* no_address[] = { "ping", "-c", "1", "10.0.2" };
    run = TRY(user_test::run(no_address));
    EXPECT_EXIT(run, 2);
    EXPECT_OUTPUT(run, "usage: ping");
    return {};
}
