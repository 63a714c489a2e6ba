// The stack without a NIC: UDP sockets over lo (bind, ephemeral ports, EADDRINUSE, send_to and
// receive_from with timeouts, truncation, a full queue dropping and counting, poll, shutdown),
// ICMP port unreachable and ping to ourselves, and the DHCP client against QEMU's user network.
#include "../../lab/07-e1000/tests/net_test_support.h"
#include <kernel/net/net.h>
#include <kernel/net/ping.h>
#include <kernel/net/socket.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kstd/string.h>

namespace {

constexpr net::Ipv4Address LOCALHOST { 127, 0, 0, 1 };
constexpr u64 SHORT_NS = 50 * time::NS_PER_MS;

ErrorOr<OwnPtr<net::UdpSocket>> bound_socket(u16 port)
{
    auto socket = TRY(net::UdpSocket::create());
    TRY(socket->bind({ net::ANY_ADDRESS, port }));
    return socket;
}

}

KTEST(net_udp_sockets_on_loopback, CORE_SUITE)
{
    auto a = EXPECT_OK(bound_socket(5353));
    auto b = EXPECT_OK(bound_socket(0));
    EXPECT(b->local_address().port >= net::FIRST_EPHEMERAL_PORT);
    auto clash = EXPECT_OK(net::UdpSocket::create());
    EXPECT_ERROR(clash->bind({ net::ANY_ADDRESS, 5353 }), EADDRINUSE);
    EXPECT_ERROR(clash->bind({ net::Ipv4Address(10, 9, 8, 7), 1 }), EADDRNOTAVAIL);
    EXPECT_ERROR(a->bind({ net::ANY_ADDRESS, 1 }), EINVAL);   // already bound

    u8 buffer[64];
    EXPECT_ERROR(a->receive_from(Bytes(buffer, sizeof(buffer)), nullptr, 0), EAGAIN);
    u64 started = time::now_ns();
    EXPECT_ERROR(a->receive_from(Bytes(buffer, sizeof(buffer)), nullptr, SHORT_NS), ETIMEDOUT);
    EXPECT(time::now_ns() - started >= SHORT_NS);
    EXPECT_EQ(a->poll_events(), net::PollEvents::Writable);

    char const text[] = "hello, loopback";
    EXPECT_EQ(EXPECT_OK(b->send_to(ReadonlyBytes(reinterpret_cast<u8 const*>(text), sizeof(text)), { LOCALHOST, 5353 })),
              sizeof(text));
    EXPECT_OK(a->wait(net::PollEvents::Readable, time::NS_PER_S));
    net::SocketAddress from;
    usize n = EXPECT_OK(a->receive_from(Bytes(buffer, sizeof(buffer)), &from, time::NS_PER_S));
    EXPECT_EQ(n, sizeof(text));
    EXPECT_EQ(memcmp(buffer, text, n), 0);
    EXPECT(from.address == LOCALHOST);
    EXPECT_EQ(from.port, b->local_address().port);

    // Longer than the buffer: the rest of the datagram is lost, as with recvfrom(2).
    EXPECT_OK(a->send_to(ReadonlyBytes(reinterpret_cast<u8 const*>(text), sizeof(text)), { LOCALHOST, from.port }));
    EXPECT_EQ(EXPECT_OK(b->receive_from(Bytes(buffer, 5), nullptr, time::NS_PER_S)), 5u);
    EXPECT_ERROR(b->receive_from(Bytes(buffer, sizeof(buffer)), nullptr, SHORT_NS), ETIMEDOUT);

    EXPECT_ERROR(a->send_to(ReadonlyBytes(buffer, 1), { LOCALHOST, 0 }), EINVAL);
    static u8 big[net::MAX_UDP_PAYLOAD + 1];
    EXPECT_ERROR(a->send_to(ReadonlyBytes(big, sizeof(big)), { LOCALHOST, 9 }), EMSGSIZE);
    EXPECT_ERROR(a->send_to(ReadonlyBytes(buffer, 1), { net::Ipv4Address(203, 0, 113, 9), 9 }), ENETUNREACH);
    return {};
}

KTEST(net_udp_queue_limit_poll_and_shutdown, CORE_SUITE)
{
    auto receiver = EXPECT_OK(bound_socket(5354));
    auto sender = EXPECT_OK(bound_socket(0));
    receiver->set_receive_queue_limit(4);
    net::ProtocolStats before = net::stats();
    u8 data[8] = { 1, 2, 3 };
    for (int i = 0; i < 10; ++i)
        EXPECT_OK(sender->send_to(ReadonlyBytes(data, sizeof(data)), { LOCALHOST, 5354 }));
    net::PollEntry entries[] = { { sender.ptr(), net::PollEvents::Readable, {} },
                                 { receiver.ptr(), net::PollEvents::Readable, {} } };
    EXPECT_EQ(net::poll(Span<net::PollEntry>(entries, 2), time::NS_PER_S), 1u);
    EXPECT_EQ(entries[1].ready, net::PollEvents::Readable);
    sched::sleep_for(20 * time::NS_PER_MS);   // lo delivers from a work item: let it finish
    EXPECT_EQ(receiver->queued(), 4u);
    EXPECT_EQ(receiver->dropped(), 6u);
    EXPECT_EQ(net::stats().udp_queue_full - before.udp_queue_full, 6u);

    receiver->shutdown();
    for (int i = 0; i < 4; ++i)
        EXPECT_OK(receiver->receive_from(Bytes(data, sizeof(data)), nullptr, net::NO_TIMEOUT));
    EXPECT_ERROR(receiver->receive_from(Bytes(data, sizeof(data)), nullptr, net::NO_TIMEOUT), ESHUTDOWN);
    EXPECT_ERROR(receiver->wait(net::PollEvents::Readable, net::NO_TIMEOUT), ESHUTDOWN);
    return {};
}

KTEST(net_icmp_on_loopback, CORE_SUITE)
{
    net::ProtocolStats before = net::stats();
    auto reply = EXPECT_OK(net::ping(LOCALHOST, 1, 1000, 17, time::NS_PER_S));
    EXPECT_EQ(reply.payload_size, 1000u);
    EXPECT_EQ(reply.ttl, 64u);   // the reply's own TTL (ours for it), not the request's 17
    auto socket = EXPECT_OK(bound_socket(0));
    u8 data[4] = {};
    EXPECT_OK(socket->send_to(ReadonlyBytes(data, sizeof(data)), { LOCALHOST, 4999 }));   // nobody there
    sched::sleep_for(50 * time::NS_PER_MS);
    net::ProtocolStats after = net::stats();
    EXPECT_EQ(after.udp_no_port - before.udp_no_port, 1u);
    EXPECT_EQ(after.icmp_tx_unreachable - before.icmp_tx_unreachable, 1u);
    EXPECT_EQ(after.icmp_rx_unreachable - before.icmp_rx_unreachable, 1u);
    EXPECT_ERROR(net::ping(LOCALHOST, 2, 2000, 64, time::NS_PER_S), EINVAL);
    return {};
}

// QEMU's user-mode network (the rubric's `backend = "user"` peer): a DHCP lease from 10.0.2.2,
// then the gateway answers pings and sits in the ARP cache.
KTEST(net_dhcp_lease_and_gateway_ping, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 10 * time::NS_PER_S));
    auto info = EXPECT_OK(net::interface_info("eth0"));
    EXPECT_EQ(info.method, net::ConfigMethod::Dhcp);
    EXPECT(info.address == net::Ipv4Address(10, 0, 2, 15));
    EXPECT(info.netmask == net::Ipv4Address(255, 255, 255, 0));
    EXPECT(info.gateway == net::Ipv4Address(10, 0, 2, 2));
    EXPECT(info.dns == net::Ipv4Address(10, 0, 2, 3));
    EXPECT(info.dhcp_server == net::Ipv4Address(10, 0, 2, 2));
    EXPECT_EQ(info.lease_seconds, 86400u);
    unsigned replies = 0;
    for (u16 seq = 1; seq <= 10; ++seq)
        replies += !net::ping(info.gateway, seq, 56, 64, 2 * time::NS_PER_S).is_error();
    EXPECT_EQ(replies, 10u);
    bool gateway_known = false;
    net::for_each_arp_entry(
        [](net::ArpEntryInfo const& entry, void* known) {
            if (entry.resolved && entry.ip == net::Ipv4Address(10, 0, 2, 2))
                *static_cast<bool*>(known) = true;
        },
        &gateway_known);
    EXPECT_MSG(gateway_known, "the gateway 10.0.2.2 is not in the ARP cache after pinging it");
    return {};
}
