// ICMP (RFC 792): answering echo requests, ping (include/kernel/net/ping.h), and telling a
// sender that nobody listens on a UDP port. Echo requests to a broadcast address are ignored
// and error messages are rate limited, as RFC 1122 asks of a host.
#include "checksum.h"
#include "stack.h"
#include <kernel/net/ping.h>
#include <kernel/sched/entity.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace net {

namespace {

constexpr usize MAX_ECHO_PAYLOAD = 1500 - wire::IPV4_HEADER - wire::ICMP_HEADER;
constexpr usize MAX_PENDING = 8;
constexpr u32 UNREACHABLE_BURST = 20;                  // at most this many per window
constexpr u64 UNREACHABLE_WINDOW_NS = 100 * time::NS_PER_MS;

enum class PingState : u8 { Free, Waiting, Replied, Unreachable };

struct PendingPing {
    PingState state { PingState::Free };
    u16 id { 0 };
    u16 sequence { 0 };
    Ipv4Address destination;
    usize payload_size { 0 };
    u64 sent_ns { 0 };
    PingReply reply {};
};

sched::Spinlock g_lock { "icmp" };
PendingPing g_pending[MAX_PENDING];   // Guarded by g_lock
sched::WaitQueue g_replies;           // ping() sleeps here
u16 g_next_id = 0x4300;               // Guarded by g_lock
u64 g_window_start = 0;               // Guarded by g_lock: the unreachable rate limit
u32 g_window_count = 0;

u8 pattern_byte(u16 id, u16 sequence, usize i) { return u8(i ^ id ^ (sequence << 3)); }

bool rate_limit_allows()
{
    sched::SpinlockGuard guard(g_lock);
    u64 now = time::now_ns();
    if (now - g_window_start > UNREACHABLE_WINDOW_NS) {
        g_window_start = now;
        g_window_count = 0;
    }
    return ++g_window_count <= UNREACHABLE_BURST;
}

// Sends an ICMP message whose body (after the 8-byte header) is `body`. Context: any but IRQ.
ErrorOr<void> send_message(Ipv4Address destination, Ipv4Address source, wire::IcmpHeader const& header,
                           ReadonlyBytes body)
{
    auto frame = TRY(allocate_frame(wire::ICMP_HEADER + body.size()));
    Bytes message = frame->data().subspan(wire::TRANSPORT_OFFSET);
    memcpy(message.data() + wire::ICMP_HEADER, body.data(), body.size());
    wire::write_icmp(message, header);
    Route route = TRY(route_to(destination));
    if (!source.is_any())
        route.source = source;
    return ipv4_send(route, destination, wire::PROTOCOL_ICMP, 64, kstd::move(frame));
}

void answer_echo(Ipv4Packet const& packet, wire::IcmpHeader const& request)
{
    Interface& interface = packet.interface;
    if (interface.is_broadcast_for(packet.header.destination) || packet.header.destination.is_multicast())
        return;   // no answers to broadcast pings (a smurf amplifier otherwise)
    wire::IcmpHeader reply { wire::ICMP_ECHO_REPLY, 0, request.id, request.sequence };
    auto sent = send_message(packet.header.source, packet.header.destination, reply,
                             packet.payload.subspan(wire::ICMP_HEADER));
    if (!sent.is_error())
        counters().icmp_tx_echo_replies.add();
}

bool payload_matches(PendingPing const& ping, ReadonlyBytes data)
{
    if (data.size() != ping.payload_size)
        return false;
    for (usize i = 0; i < data.size(); ++i) {
        if (data[i] != pattern_byte(ping.id, ping.sequence, i))
            return false;
    }
    return true;
}

void match_reply(Ipv4Packet const& packet, wire::IcmpHeader const& reply)
{
    u64 now = time::now_ns();
    sched::SpinlockGuard guard(g_lock);
    for (PendingPing& ping : g_pending) {
        if (ping.state != PingState::Waiting || ping.id != reply.id || ping.sequence != reply.sequence
            || !(ping.destination == packet.header.source))
            continue;
        if (!payload_matches(ping, packet.payload.subspan(wire::ICMP_HEADER)))
            continue;   // altered on the way: not our reply
        ping.reply = { now - ping.sent_ns, packet.header.ttl, ping.payload_size };
        ping.state = PingState::Replied;
        g_replies.wake_all();
        return;
    }
}

PendingPing* claim_slot(Ipv4Address destination, u16 sequence, usize payload_size)
{
    sched::SpinlockGuard guard(g_lock);
    for (PendingPing& ping : g_pending) {
        if (ping.state == PingState::Free) {
            ping = { PingState::Waiting, g_next_id++, sequence, destination, payload_size, 0, {} };
            return &ping;
        }
    }
    return nullptr;
}

void release_slot(PendingPing& ping)
{
    sched::SpinlockGuard guard(g_lock);
    ping.state = PingState::Free;
}

}

void icmp_receive(Ipv4Packet const& packet, OwnPtr<dev::Packet>)
{
    Counters& c = counters();
    c.icmp_rx.add();
    if (packet.payload.size() < wire::ICMP_HEADER) {
        c.icmp_malformed.add();
        return;
    }
    if (checksum(packet.payload) != 0) {
        c.icmp_bad_checksum.add();
        return;
    }
    wire::IcmpHeader header = wire::read_icmp(packet.payload);
    switch (header.type) {
    case wire::ICMP_ECHO_REQUEST:
        c.icmp_rx_echo_requests.add();
        answer_echo(packet, header);
        return;
    case wire::ICMP_ECHO_REPLY:
        c.icmp_rx_echo_replies.add();
        match_reply(packet, header);
        return;
    case wire::ICMP_DESTINATION_UNREACHABLE:
        c.icmp_rx_unreachable.add();
        return;
    default:
        return;
    }
}

void icmp_send_port_unreachable(Ipv4Packet const& packet)
{
    Interface& interface = packet.interface;
    if (interface.is_broadcast_for(packet.header.destination) || packet.header.destination.is_multicast()
        || packet.header.source.is_any())
        return;   // never about broadcasts (RFC 1122 3.2.2)
    if (!rate_limit_allows()) {
        counters().icmp_rate_limited.add();
        return;
    }
    // The body: the offending datagram's IP header and its first 8 bytes of data.
    usize quoted = kstd::min<usize>(packet.payload.size(), 8);
    u8 body[wire::IPV4_MAX_HEADER + 8];
    ReadonlyBytes ip_header(packet.payload.data() - packet.header.header_length, packet.header.header_length);
    memcpy(body, ip_header.data(), ip_header.size());
    memcpy(body + ip_header.size(), packet.payload.data(), quoted);
    wire::IcmpHeader header { wire::ICMP_DESTINATION_UNREACHABLE, wire::ICMP_PORT_UNREACHABLE, 0, 0 };
    if (!send_message(packet.header.source, packet.header.destination, header,
                      ReadonlyBytes(body, ip_header.size() + quoted)).is_error())
        counters().icmp_tx_unreachable.add();
}

void icmp_host_unreachable(Ipv4Address address)
{
    sched::SpinlockGuard guard(g_lock);
    for (PendingPing& ping : g_pending) {
        if (ping.state == PingState::Waiting && ping.destination == address) {
            ping.state = PingState::Unreachable;
            g_replies.wake_all();
        }
    }
}

ErrorOr<PingReply> ping(Ipv4Address destination, u16 sequence, usize payload_size, u8 ttl, u64 timeout_ns)
{
    if (payload_size > MAX_ECHO_PAYLOAD)
        return Error::from_errno(EINVAL);
    Route route = TRY(route_to(destination));
    auto frame = TRY(allocate_frame(wire::ICMP_HEADER + payload_size));
    PendingPing* pending = claim_slot(destination, sequence, payload_size);
    if (!pending)
        return Error::from_errno(EBUSY);   // MAX_PENDING pings are waiting already
    Bytes message = frame->data().subspan(wire::TRANSPORT_OFFSET);
    for (usize i = 0; i < payload_size; ++i)
        message[wire::ICMP_HEADER + i] = pattern_byte(pending->id, sequence, i);
    wire::write_icmp(message, { wire::ICMP_ECHO_REQUEST, 0, pending->id, sequence });
    pending->sent_ns = time::now_ns();
    auto sent = ipv4_send(route, destination, wire::PROTOCOL_ICMP, ttl ? ttl : 64, kstd::move(frame));
    if (sent.is_error()) {
        release_slot(*pending);
        return sent.release_error();
    }
    counters().icmp_tx_echo_requests.add();
    auto waited = g_replies.wait_event_until([pending] { return pending->state != PingState::Waiting; },
                                             sched::deadline_after(timeout_ns));
    PingState state = pending->state;
    PingReply reply = pending->reply;
    release_slot(*pending);
    if (state == PingState::Replied)
        return reply;
    if (state == PingState::Unreachable)
        return Error::from_errno(EHOSTUNREACH);
    return waited.is_error() ? waited.release_error() : Error::from_errno(ETIMEDOUT);
}

}
