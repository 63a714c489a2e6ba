// Faults and bad input on the wire (tests/kernel/rubric.toml): malformed frames are dropped and
// counted by kind and the guest still answers; the link goes down and up through QMP set_link
// (ENETDOWN, then recovery without any reconfiguration); the TX ring fills (EBUSY from the
// driver, ENOBUFS from the socket, counted as drops) and the RX ring runs out of descriptors
// (counted, nothing lost: the NIC holds the frames until there is room).
#include "../../lab/07-e1000/tests/net_test_support.h"
#include <kernel/dev/netdev.h>
#include <kernel/irq_flags.h>
#include <kernel/monitor.h>
#include <kernel/net/echo.h>
#include <kernel/net/ping.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>

using namespace net_test;

namespace {

// lab/grader/harness/netwire.py's MALFORMED, by the counter each frame must raise.
struct MalformedCount {
    char const* counter;
    u64 net::ProtocolStats::*field;
    u64 frames;
};
constexpr MalformedCount MALFORMED_COUNTS[] = {
    { "ip_bad_length", &net::ProtocolStats::ip_bad_length, 3 },
    { "ip_bad_version", &net::ProtocolStats::ip_bad_version, 1 },
    { "ip_bad_header_length", &net::ProtocolStats::ip_bad_header_length, 2 },
    { "ip_bad_checksum", &net::ProtocolStats::ip_bad_checksum, 1 },
    { "ip_fragments_dropped", &net::ProtocolStats::ip_fragments_dropped, 2 },
    { "ip_unknown_protocol", &net::ProtocolStats::ip_unknown_protocol, 1 },
    { "ip_not_for_us", &net::ProtocolStats::ip_not_for_us, 1 },
    { "udp_bad_checksum", &net::ProtocolStats::udp_bad_checksum, 1 },
    { "udp_bad_length", &net::ProtocolStats::udp_bad_length, 2 },
    { "icmp_bad_checksum", &net::ProtocolStats::icmp_bad_checksum, 1 },
    { "icmp_malformed", &net::ProtocolStats::icmp_malformed, 1 },
    { "arp_malformed", &net::ProtocolStats::arp_malformed, 4 },
    { "udp_no_port", &net::ProtocolStats::udp_no_port, 1 },
};

ErrorOr<dev::Ref<dev::NetDevice>> eth0() { return netdev::find("eth0"); }

}

KTEST(net_malformed_frames_counted, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 5 * time::NS_PER_S));
    auto control = EXPECT_OK(control_socket());
    net::ProtocolStats before = net::stats();
    announce_ready("net_malformed_frames_counted");
    EXPECT_OK(wait_for_peer(*control, "done"));
    net::ProtocolStats after = net::stats();
    for (auto const& expected : MALFORMED_COUNTS) {
        u64 counted = after.*expected.field - before.*expected.field;
        ktest::note("%-22s +%lu", expected.counter, counted);
        EXPECT_MSG(counted == expected.frames, "%s went up by %lu, expected %lu (one per malformed frame of that kind)",
                   expected.counter, counted, expected.frames);
    }
    monitor::execute("netstat");
    return {};
}

KTEST(net_link_down_up, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 5 * time::NS_PER_S));
    auto device = EXPECT_OK(eth0());
    auto socket = EXPECT_OK(net::UdpSocket::create());
    EXPECT_OK(net::ping(HOST, 1, 56, 64, 3 * time::NS_PER_S));   // the wire works (and ARP knows the host)
    u64 changes = device->carrier_changes();
    u8 data[32] = { 'l', 'i', 'n', 'k' };
    announce_ready("net_link_down_up");   // the QMP peer: set_link net0 off

    auto send = [&] { return socket->send_to(ReadonlyBytes(data, sizeof(data)), { HOST, 9 }); };
    // The error of the first send that fails within `seconds` (0 when none did).
    auto first_failure = [&](u64 seconds) {
        u64 deadline = time::now_ns() + seconds * time::NS_PER_S;
        for (;;) {
            auto sent = send();
            if (sent.is_error())
                return sent.error().code();
            if (time::now_ns() >= deadline)
                return 0;
            sched::sleep_for(10 * time::NS_PER_MS);
        }
    };
    int failure = first_failure(5);
    EXPECT_MSG(failure == ENETDOWN, "sending 5 s after the link went down: %s (expected ENETDOWN)",
               failure ? kstd::errno_name(failure) : "still works");
    EXPECT_ERROR(net::ping(HOST, 2, 56, 64, time::NS_PER_S), ENETDOWN);
    ktest::note("link down: send_to says ENETDOWN; carrier changes %lu", device->carrier_changes() - changes);
    diag_print("@@CONDUIT link-down-seen nonce=%s\n", ktest::nonce());   // the QMP peer: set_link net0 on

    u64 deadline = time::now_ns() + 10 * time::NS_PER_S;
    char const* last_error = "none";
    bool back = false;
    while (!back && time::now_ns() < deadline) {
        auto sent = send();
        back = !sent.is_error();
        if (!back) {
            last_error = sent.error().name();
            sched::sleep_for(10 * time::NS_PER_MS);
        }
    }
    EXPECT_MSG(back, "the link never came back within 10 s (send_to: %s)", last_error);
    EXPECT_OK(net::ping(HOST, 3, 56, 64, 3 * time::NS_PER_S));   // recovered without reconfiguring
    EXPECT_EQ(device->carrier_changes() - changes, 2u);
    monitor::execute("e1000");
    monitor::execute("ifconfig eth0");
    return {};
}

// e1000.tx_ring=64 e1000.rx_ring=16 (the rubric): with interrupts off nothing reclaims the TX
// ring, so 63 frames go and the rest are refused; then a burst from the peer meets an RX ring
// of 15 free descriptors while interrupts are off.
KTEST(net_ring_limits, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 5 * time::NS_PER_S));
    auto device = EXPECT_OK(eth0());
    auto sender = EXPECT_OK(net::UdpSocket::create());
    sender->set_broadcast(true);   // no ARP: the TX ring alone decides
    u8 data[64] = { 't', 'x' };
    dev::NetDevStats before = device->stats();
    unsigned accepted = 0, refused = 0;
    {
        InterruptsDisabled no_reclaim;
        for (int i = 0; i < 100; ++i) {
            auto sent = sender->send_to(ReadonlyBytes(data, sizeof(data)), { WIRE_BROADCAST, 5001 });
            if (!sent.is_error())
                ++accepted;
            else if (sent.error().code() == ENOBUFS)
                ++refused;
        }
    }
    u64 dropped = device->stats().tx_dropped - before.tx_dropped;
    ktest::note("TX ring of 64: %u frames accepted, %u refused (ENOBUFS), tx_dropped +%lu", accepted, refused, dropped);
    EXPECT_EQ(accepted, 63u);
    EXPECT_EQ(refused, 37u);
    EXPECT_EQ(dropped, 37u);
    sched::sleep_for(20 * time::NS_PER_MS);   // TXDW -> the poll reclaims
    EXPECT_OK(sender->send_to(ReadonlyBytes(data, sizeof(data)), { WIRE_BROADCAST, 5001 }));

    auto sink = EXPECT_OK(net::UdpSocket::create());
    EXPECT_OK(sink->bind({ net::ANY_ADDRESS, 9 }));
    sink->set_receive_queue_limit(256);
    announce_ready("net_ring_limits");   // the peer: a burst of 100 datagrams to port 9
    usize held = hold_until_received(15);   // the NIC has had all 15 descriptors it was given
    {
        InterruptsDisabled longer;       // and the next frames find none
        time::busy_wait_ns(100 * time::NS_PER_MS);
    }
    ktest::note("RX ring of 16: %zu frames waiting before the first poll", held);
    unsigned received = 0;
    u8 buffer[128];
    while (received < 100 && !sink->receive_from(Bytes(buffer, sizeof(buffer)), nullptr, 5 * time::NS_PER_S).is_error())
        ++received;
    ktest::note("RX ring of 16: %u of 100 burst datagrams received", received);
    monitor::execute("e1000");
    EXPECT_EQ(received, 100u);
    return {};
}
