// IPv4 (RFC 791, and RFC 1122 for what a host must check): the datagrams that arrive are
// checked (version, header length, total length, header checksum) and dropped with a count
// when anything is wrong; fragments are dropped too (this stack does not reassemble); the rest,
// when addressed to us, go to ICMP or UDP. Datagrams sent get a fresh header with our TTL.
#include "stack.h"
#include <kstd/enforce.h>

namespace net {

namespace {

u16 g_next_id = 1;   // identification of sent datagrams (unique enough: we never fragment)

bool count_problem(wire::Ipv4Problem problem)
{
    Counters& c = counters();
    switch (problem) {
    case wire::Ipv4Problem::None:
        return false;
    case wire::Ipv4Problem::BadVersion:
        c.ip_bad_version.add();
        break;
    case wire::Ipv4Problem::BadHeaderLength:
        c.ip_bad_header_length.add();
        break;
    case wire::Ipv4Problem::TooShort:
    case wire::Ipv4Problem::BadTotalLength:
        c.ip_bad_length.add();
        break;
    case wire::Ipv4Problem::BadChecksum:
        c.ip_bad_checksum.add();
        break;
    }
    return true;
}

// Ours: the interface's address or broadcast; while it has no address, anything (a DHCP offer
// may come to the address being offered); on lo, any of our addresses (traffic to ourselves).
bool addressed_to_us(Interface& interface, Ipv4Address destination)
{
    auto a = interface.addressing();
    if (!a.configured || destination == a.address || interface.is_broadcast_for(destination))
        return true;
    return interface.is_loopback && is_our_address(destination);
}

}

void ipv4_receive(Interface& interface, OwnPtr<dev::Packet> frame)
{
    Counters& c = counters();
    c.ip_rx.add();
    ReadonlyBytes datagram = frame->data().subspan(wire::ETHERNET_HEADER);
    wire::Ipv4Header header;
    if (count_problem(wire::read_ipv4(datagram, header)))
        return;
    if (header.is_fragment()) {
        c.ip_fragments_dropped.add();
        return;
    }
    if (!addressed_to_us(interface, header.destination)) {
        c.ip_not_for_us.add();
        return;
    }
    Ipv4Packet packet { interface, header,
                        datagram.subspan(header.header_length, header.total_length - header.header_length),
                        wire::ETHERNET_HEADER + header.header_length };
    switch (header.protocol) {
    case wire::PROTOCOL_ICMP:
        c.ip_delivered.add();
        icmp_receive(packet, kstd::move(frame));
        return;
    case wire::PROTOCOL_UDP:
        c.ip_delivered.add();
        udp_receive(packet, kstd::move(frame));
        return;
    default:
        c.ip_unknown_protocol.add();
        return;
    }
}

ErrorOr<void> ipv4_send(Route const& route, Ipv4Address destination, u8 protocol, u8 ttl, OwnPtr<dev::Packet> frame)
{
    Counters& c = counters();
    wire::Ipv4Header header;
    header.total_length = u16(frame->size() - wire::ETHERNET_HEADER);
    header.id = __atomic_fetch_add(&g_next_id, 1, __ATOMIC_RELAXED);
    header.ttl = ttl;
    header.protocol = protocol;
    header.source = route.source;
    header.destination = destination;
    wire::write_ipv4(frame->data().subspan(wire::ETHERNET_HEADER), header);
    c.ip_tx.add();
    auto sent = arp_output(*route.interface, route.next_hop, kstd::move(frame));
    if (sent.is_error())
        c.ip_tx_errors.add();
    return sent;
}

}
