// The DHCP client (RFC 2131), one kernel thread per interface ("dhcp/eth0"):
//   INIT        broadcast DISCOVER; wait for an OFFER (2, 4, 8, 16, 16 ... s)
//   REQUESTING  broadcast REQUEST for the offered address; ACK -> BOUND, NAK -> INIT
//   BOUND       the interface has the address; sleep until T1 (half the lease)
//   RENEWING    REQUEST to the server itself until T2 (7/8 of the lease)
//   REBINDING   broadcast REQUEST until the lease ends; then the address goes, and INIT again
// QEMU's user-mode network (slirp) answers at 10.0.2.2 with 10.0.2.15/24, router 10.0.2.2,
// DNS 10.0.2.3 and a lease of a day.
#include "dhcp.h"
#include "dhcp_message.h"
#include "stack.h"
#include <kernel/net/socket.h>
#include <kernel/printk.h>
#include <kernel/sched/entity.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace net {

struct DhcpClient {
    explicit DhcpClient(Interface& i) : interface(i) {}
    Interface& interface;
    OwnPtr<UdpSocket> socket;
    sched::Thread* thread { nullptr };
    bool volatile stopping { false };
    sched::WaitQueue wake;     // stop() wakes the sleeps between states
    char thread_name[24] {};
    u32 xid { 0 };
    u64 started_ns { 0 };      // of this exchange: the messages' `secs`
    u8 buffer[1500] {};
};

namespace {

constexpr u64 REQUEST_TIMEOUT_NS = 4 * time::NS_PER_S;
constexpr unsigned REQUEST_TRIES = 3;
constexpr u64 MAX_DISCOVER_TIMEOUT_NS = 16 * time::NS_PER_S;
constexpr u64 MIN_RENEW_RETRY_NS = 60 * time::NS_PER_S;

ErrorOr<void> send(DhcpClient& client, dhcp::ClientMessage message, Ipv4Address to)
{
    message.xid = client.xid;
    message.mac = client.interface.mac();
    message.seconds = u16(kstd::min<u64>(0xFFFF, (time::now_ns() - client.started_ns) / time::NS_PER_S));
    u8 bytes[dhcp::MESSAGE_SIZE];
    usize length = dhcp::build(message, Bytes(bytes, sizeof(bytes)));
    TRY(client.socket->send_to(ReadonlyBytes(bytes, length), { to, dhcp::SERVER_PORT }));
    return {};
}

// The first reply of one of the wanted types to our transaction, before `deadline`.
Optional<dhcp::ServerMessage> wait_reply(DhcpClient& client, dhcp::MessageType wanted, dhcp::MessageType or_else,
                                         u64 deadline)
{
    for (;;) {
        u64 now = time::now_ns();
        if (client.stopping || now >= deadline)
            return {};
        auto got = client.socket->receive_from(Bytes(client.buffer, sizeof(client.buffer)), nullptr, deadline - now);
        if (got.is_error())
            return {};
        dhcp::ServerMessage reply;
        if (dhcp::parse(ReadonlyBytes(client.buffer, got.value()), client.interface.mac(), reply)
                != dhcp::ParseProblem::None
            || reply.xid != client.xid)
            continue;
        if (reply.type == wanted || reply.type == or_else)
            return reply;
    }
}

Optional<dhcp::ServerMessage> discover(DhcpClient& client)
{
    client.xid = random_u32();
    client.started_ns = time::now_ns();
    u64 timeout = 2 * time::NS_PER_S;
    while (!client.stopping) {
        (void)send(client, { .type = dhcp::MessageType::Discover, .broadcast_reply = true }, BROADCAST_ADDRESS);
        auto offer = wait_reply(client, dhcp::MessageType::Offer, dhcp::MessageType::Offer,
                                time::now_ns() + timeout);
        if (offer.has_value() && !offer->your_address.is_any())
            return offer;
        timeout = kstd::min(timeout * 2, MAX_DISCOVER_TIMEOUT_NS);
    }
    return {};
}

// REQUEST (selecting: `offer`'s address from its server; renewing/rebinding: ciaddr set) until
// ACK or NAK or `tries` run out.
Optional<dhcp::ServerMessage> request(DhcpClient& client, dhcp::ClientMessage message, Ipv4Address to,
                                      unsigned tries)
{
    for (unsigned i = 0; i < tries && !client.stopping; ++i) {
        if (send(client, message, to).is_error())
            return {};
        auto reply = wait_reply(client, dhcp::MessageType::Ack, dhcp::MessageType::Nak,
                                time::now_ns() + REQUEST_TIMEOUT_NS);
        if (reply.has_value())
            return reply;
    }
    return {};
}

void bind_lease(DhcpClient& client, dhcp::ServerMessage const& ack)
{
    Interface& interface = client.interface;
    Ipv4Address netmask = ack.netmask.is_any() ? netmask_of(24) : ack.netmask;
    {
        sched::SpinlockGuard guard(interface.lock);
        interface.dns = ack.dns;
        interface.dhcp_server = ack.server;
        interface.lease_seconds = ack.lease_seconds;
        interface.lease_expires_ns = client.started_ns + u64(ack.lease_seconds) * time::NS_PER_S;
    }
    set_addressing(interface, true, ConfigMethod::Dhcp, ack.your_address, netmask, ack.router);
    char a[IPV4_TEXT], g[IPV4_TEXT], s[IPV4_TEXT];
    log_info("net: %s: DHCP lease %s/%d gw %s from %s for %u s\n", interface.name(),
             format_ipv4(ack.your_address, a), prefix_of(netmask), format_ipv4(ack.router, g),
             format_ipv4(ack.server, s), ack.lease_seconds);
}

// Sleeps until `deadline` or stop(); true when the deadline came.
bool sleep_until(DhcpClient& client, u64 deadline)
{
    return client.wake.wait_event_until([&client] { return client.stopping; }, deadline).is_error();
}

// BOUND, RENEWING and REBINDING for one lease; returns when it is lost (or on stop()).
void keep_lease(DhcpClient& client, dhcp::ServerMessage lease)
{
    for (;;) {
        bind_lease(client, lease);
        u64 start = client.started_ns;
        u64 length = u64(lease.lease_seconds) * time::NS_PER_S;
        u64 t1 = start + (lease.renew_seconds ? u64(lease.renew_seconds) * time::NS_PER_S : length / 2);
        u64 t2 = start + (lease.rebind_seconds ? u64(lease.rebind_seconds) * time::NS_PER_S : length / 8 * 7);
        u64 end = start + length;
        if (!sleep_until(client, t1))
            return;
        Optional<dhcp::ServerMessage> reply;
        dhcp::ClientMessage renew { .type = dhcp::MessageType::Request, .client_address = lease.your_address };
        client.xid = random_u32();
        client.started_ns = time::now_ns();
        while (!client.stopping && !reply.has_value() && time::now_ns() < end) {
            bool rebinding = time::now_ns() >= t2;
            reply = request(client, renew, rebinding ? BROADCAST_ADDRESS : lease.server, 1);
            if (!reply.has_value()) {
                u64 now = time::now_ns();
                u64 limit = rebinding ? end : t2;
                (void)sleep_until(client, now + kstd::max(MIN_RENEW_RETRY_NS, (limit > now ? limit - now : 0) / 2));
            }
        }
        if (!reply.has_value() || reply->type != dhcp::MessageType::Ack)
            break;
        lease = *reply;
    }
    if (!client.stopping) {
        log_warn("net: %s: DHCP lease lost\n", client.interface.name());
        set_addressing(client.interface, false, ConfigMethod::Dhcp, ANY_ADDRESS, ANY_ADDRESS, ANY_ADDRESS);
        arp_flush(&client.interface);
    }
}

void client_main(void* arg)
{
    DhcpClient& client = *static_cast<DhcpClient*>(arg);
    while (!client.stopping) {
        auto offer = discover(client);
        if (!offer.has_value())
            continue;
        dhcp::ClientMessage select { .type = dhcp::MessageType::Request, .broadcast_reply = true,
                                     .requested = offer->your_address, .server = offer->server };
        auto reply = request(client, select, BROADCAST_ADDRESS, REQUEST_TRIES);
        if (!reply.has_value() || reply->type != dhcp::MessageType::Ack) {
            if (reply.has_value())
                log_warn("net: %s: DHCP server said NAK; starting again\n", client.interface.name());
            continue;
        }
        keep_lease(client, *reply);
    }
}

}

ErrorOr<void> dhcp_start(Interface& interface)
{
    VERIFY(!interface.dhcp);
    auto client = TRY(kstd::make<DhcpClient>(interface));
    client->socket = TRY(UdpSocket::create());
    TRY(client->socket->bind({ ANY_ADDRESS, dhcp::CLIENT_PORT }));
    TRY(client->socket->bind_to_interface(interface.name()));
    client->socket->set_broadcast(true);
    kstd::snprintf(client->thread_name, sizeof(client->thread_name), "dhcp/%s", interface.name());
    client->thread = TRY(sched::spawn(client->thread_name, client_main, client.ptr()));
    interface.dhcp = client.leak_ptr();
    return {};
}

void dhcp_stop(Interface& interface)
{
    DhcpClient* client = kstd::exchange(interface.dhcp, nullptr);
    if (!client)
        return;
    client->stopping = true;
    client->socket->shutdown();
    client->wake.wake_all();
    (void)sched::join(client->thread);
    delete client;
}

}
