// The network monitor commands and the ARP cache's life cycle (tests/kernel/rubric.toml):
// ifconfig, arp, netstat, ping and udpecho print what they promise; an ARP entry expires after
// net.arp_timeout and is asked for again; frames for a neighbour that never answers wait
// (ARP_QUEUE_LIMIT at most, the rest counted as overflow), the requests are repeated, and then the frames are
// dropped and ping says EHOSTUNREACH.
#include "../../lab/07-e1000/tests/net_test_support.h"
#include <kernel/monitor.h>
#include <kernel/net/ping.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kstd/string.h>

using namespace net_test;

namespace {

struct Capture {
    static constexpr usize CAPACITY = 8192;
    char text[CAPACITY + 1];
    usize length;
};
Capture g_capture;

void capture_write(char const* data, usize length)
{
    for (usize i = 0; i < length && g_capture.length < Capture::CAPACITY; ++i)
        g_capture.text[g_capture.length++] = data[i];
    g_capture.text[g_capture.length] = '\0';
}

ConsoleSink g_capture_sink { "net-capture", capture_write, nullptr };

// What `line` printed on the console.
char const* run(char const* line)
{
    g_capture.length = 0;
    g_capture.text[0] = '\0';
    register_console(g_capture_sink);
    monitor::execute(line);
    unregister_console(g_capture_sink);
    return g_capture.text;
}

bool printed(char const* output, char const* text)
{
    return StringView(output).find(StringView(text)).has_value();
}

}

KTEST(net_monitor_commands, CORE_SUITE)
{
    char const* out = run("ifconfig lo");
    EXPECT_MSG(printed(out, "lo: up, link up") && printed(out, "127.0.0.1/8 (static)"), "ifconfig lo printed: %s", out);
    out = run("ping 127.0.0.1 -c 3 -s 100 -i 0");
    EXPECT_MSG(printed(out, "108 bytes from 127.0.0.1: icmp_seq=3 ttl=64") && printed(out, "3 packets transmitted, 3 received, 0% packet loss")
                   && printed(out, "rtt min/median/p90/max = "),
               "ping printed: %s", out);
    out = run("ping 10.1.2");
    EXPECT_MSG(printed(out, "usage: ping"), "ping with a bad address printed: %s", out);
    out = run("udpecho start 4007");
    out = run("udpecho");
    EXPECT_MSG(printed(out, "udp echo: port 4007, 0 datagrams"), "udpecho printed: %s", out);
    run("udpecho stop");
    out = run("udpecho");
    EXPECT_MSG(printed(out, "not running"), "udpecho after stop printed: %s", out);
    out = run("netstat");
    EXPECT_MSG(printed(out, "icmp: rx ") && printed(out, "udp: rx ") && printed(out, "arp: rx "), "netstat printed: %s", out);
    out = run("ifconfig nope 1.2.3.4/8");
    EXPECT_MSG(printed(out, "ifconfig: nope: ENOENT"), "ifconfig of a missing interface printed: %s", out);
    out = run("arp");
    EXPECT_MSG(printed(out, "hardware address"), "arp printed: %s", out);
    return {};
}

// net.arp_timeout=1 (the rubric); the wire peer answers ARP for 192.168.76.1 only.
KTEST(net_arp_cache_life_cycle, CORE_SUITE)
{
    TRY(eth0_configured());
    EXPECT_OK(net::ping(HOST, 1, 56, 64, 3 * time::NS_PER_S));   // resolves the host
    net::ProtocolStats before = net::stats();
    EXPECT_OK(net::ping(HOST, 2, 56, 64, 3 * time::NS_PER_S));   // from the cache
    EXPECT_EQ(net::stats().arp_tx_requests, before.arp_tx_requests);
    sched::sleep_for(1500 * time::NS_PER_MS);                     // past the entry's lifetime
    EXPECT_OK(net::ping(HOST, 3, 56, 64, 3 * time::NS_PER_S));
    EXPECT_EQ(net::stats().arp_tx_requests - before.arp_tx_requests, 1u);

    // A neighbour that never answers: ARP_QUEUE_LIMIT + 3 datagrams and a ping; the oldest 4
    // give way; 3 requests; then all are dropped.
    constexpr net::Ipv4Address SILENT { 192, 168, 76, 99 };
    auto socket = EXPECT_OK(net::UdpSocket::create());
    before = net::stats();
    u8 data[16] = {};
    for (usize i = 0; i < net::ARP_QUEUE_LIMIT + 3; ++i)
        EXPECT_OK(socket->send_to(ReadonlyBytes(data, sizeof(data)), { SILENT, 9 }));
    EXPECT_ERROR(net::ping(SILENT, 1, 56, 64, 10 * time::NS_PER_S), EHOSTUNREACH);
    net::ProtocolStats after = net::stats();
    ktest::note("silent neighbour: %lu queued, %lu overflowed, %lu requests, %lu resolution failures",
                after.arp_queued - before.arp_queued, after.arp_queue_overflow - before.arp_queue_overflow,
                after.arp_tx_requests - before.arp_tx_requests, after.arp_resolve_failed - before.arp_resolve_failed);
    EXPECT_EQ(after.arp_queued - before.arp_queued, net::ARP_QUEUE_LIMIT + 4);   // the datagrams and the ping
    EXPECT_EQ(after.arp_queue_overflow - before.arp_queue_overflow, 4u);
    EXPECT_EQ(after.arp_tx_requests - before.arp_tx_requests, 3u);
    EXPECT_EQ(after.arp_resolve_failed - before.arp_resolve_failed, 1u);
    return {};
}
