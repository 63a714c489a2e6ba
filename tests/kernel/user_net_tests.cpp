// The network from user space: user/bin/ping, through the ping system call, pings QEMU's
// user-network gateway over the e1000 and reports each reply and a summary; an address on the
// link that nobody answers ARP for gives "Destination Host Unreachable" and exit status 1; a
// payload above one frame is the kernel's EINVAL (exit 2). The rubric's net peer checks the
// echo requests and replies in the capture (tests/kernel/rubric.toml).
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/net/net.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace {

constexpr usize MAX_WORDS = 8, MAX_EXPECTED = 6;

// One run of ping: its arguments (null-terminated), exit status, and what its output holds.
struct PingCase {
    char const* argv[MAX_WORDS];
    int exit_code;
    char const* expected[MAX_EXPECTED];
};

constexpr PingCase CASES[] = {
    { { "ping", "-c", "3", "10.0.2.2" }, 0,
      { "PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.\n", "64 bytes from 10.0.2.2: icmp_seq=1 ttl=",
        "64 bytes from 10.0.2.2: icmp_seq=2 ttl=", "64 bytes from 10.0.2.2: icmp_seq=3 ttl=",
        "--- 10.0.2.2 ping statistics ---\n3 packets transmitted, 3 received, 0% packet loss, time ",
        "rtt min/avg/max = " } },
    { { "ping", "-c", "1", "-s", "1472", "10.0.2.2" }, 0, { "1480 bytes from 10.0.2.2: icmp_seq=1 ttl=" } },
    // QEMU's user network answers ARP only for its own addresses (gateway, DNS).
    { { "ping", "-c", "1", "10.0.2.99" }, 1,
      { "From 10.0.2.99 icmp_seq=1 Destination Host Unreachable\n",
        "1 packets transmitted, 0 received, 100% packet loss" } },
    { { "ping", "-c", "1", "-s", "1473", "10.0.2.2" }, 2, { "ping: 10.0.2.2: EINVAL" } },
    { { "ping", "-c", "1", "10.0.2" }, 2, { "usage: ping" } },
};

usize word_count(PingCase const& test)
{
    usize n = 0;
    while (n < MAX_WORDS && test.argv[n])
        ++n;
    return n;
}

}

KTEST(user_ping_gateway, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 10 * time::NS_PER_S));
    for (PingCase const& test : CASES) {
        auto run = TRY(user_test::run(Span<char const* const>(test.argv, word_count(test))));
        EXPECT_EXIT(run, test.exit_code);
        for (char const* text : test.expected) {
            if (text)
                EXPECT_OUTPUT(run, text);
        }
    }
    return {};
}
