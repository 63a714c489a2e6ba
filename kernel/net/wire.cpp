// Reading and writing the wire formats (kernel/net/wire.h).
#include "wire.h"
#include "checksum.h"
#include <kstd/string.h>

namespace net::wire {

namespace {

MacAddress read_mac(u8 const* p)
{
    MacAddress mac;
    memcpy(mac.bytes, p, 6);
    return mac;
}

}

EthernetHeader read_ethernet(ReadonlyBytes frame)
{
    return { read_mac(frame.data()), read_mac(frame.data() + 6), be16(frame.data() + 12) };
}

void write_ethernet(Bytes frame, EthernetHeader const& header)
{
    memcpy(frame.data(), header.destination.bytes, 6);
    memcpy(frame.data() + 6, header.source.bytes, 6);
    put_be16(frame.data() + 12, header.type);
}

ArpProblem read_arp(ReadonlyBytes payload, ArpPacket& out)
{
    if (payload.size() < ARP_PACKET)
        return ArpProblem::TooShort;
    u8 const* p = payload.data();
    if (be16(p) != 1 || be16(p + 2) != ETHERTYPE_IPV4)
        return ArpProblem::NotEthernetIpv4;
    if (p[4] != 6 || p[5] != 4)
        return ArpProblem::BadSizes;
    out.operation = be16(p + 6);
    if (out.operation != ARP_REQUEST && out.operation != ARP_REPLY)
        return ArpProblem::BadOperation;
    out.sender_mac = read_mac(p + 8);
    out.sender_ip = Ipv4Address(be32(p + 14));
    out.target_mac = read_mac(p + 18);
    out.target_ip = Ipv4Address(be32(p + 24));
    return ArpProblem::None;
}

void write_arp(Bytes payload, ArpPacket const& packet)
{
    u8* p = payload.data();
    put_be16(p, 1);
    put_be16(p + 2, ETHERTYPE_IPV4);
    p[4] = 6;
    p[5] = 4;
    put_be16(p + 6, packet.operation);
    memcpy(p + 8, packet.sender_mac.bytes, 6);
    put_be32(p + 14, packet.sender_ip.value);
    memcpy(p + 18, packet.target_mac.bytes, 6);
    put_be32(p + 24, packet.target_ip.value);
}

Ipv4Problem read_ipv4(ReadonlyBytes packet, Ipv4Header& out)
{
    if (packet.size() < IPV4_HEADER)
        return Ipv4Problem::TooShort;
    u8 const* p = packet.data();
    if (p[0] >> 4 != 4)
        return Ipv4Problem::BadVersion;
    out.header_length = usize(p[0] & 0xF) * 4;
    if (out.header_length < IPV4_HEADER || out.header_length > packet.size())
        return Ipv4Problem::BadHeaderLength;
    out.total_length = be16(p + 2);
    if (out.total_length < out.header_length || out.total_length > packet.size())
        return Ipv4Problem::BadTotalLength;
    if (checksum(packet.first(out.header_length)) != 0)
        return Ipv4Problem::BadChecksum;
    out.tos = p[1];
    out.id = be16(p + 4);
    u16 flags = be16(p + 6);
    out.dont_fragment = flags & 0x4000;
    out.more_fragments = flags & 0x2000;
    out.fragment_offset = flags & 0x1FFF;
    out.ttl = p[8];
    out.protocol = p[9];
    out.source = Ipv4Address(be32(p + 12));
    out.destination = Ipv4Address(be32(p + 16));
    return Ipv4Problem::None;
}

void write_ipv4(Bytes packet, Ipv4Header const& header)
{
    u8* p = packet.data();
    p[0] = 0x45;
    p[1] = header.tos;
    put_be16(p + 2, header.total_length);
    put_be16(p + 4, header.id);
    put_be16(p + 6, u16((header.dont_fragment ? 0x4000 : 0) | (header.more_fragments ? 0x2000 : 0)
                        | (header.fragment_offset & 0x1FFF)));
    p[8] = header.ttl;
    p[9] = header.protocol;
    put_be16(p + 10, 0);
    put_be32(p + 12, header.source.value);
    put_be32(p + 16, header.destination.value);
    put_be16(p + 10, checksum(ReadonlyBytes(p, IPV4_HEADER)));
}

IcmpHeader read_icmp(ReadonlyBytes message)
{
    u8 const* p = message.data();
    return { p[0], p[1], be16(p + 4), be16(p + 6) };
}

void write_icmp(Bytes message, IcmpHeader const& header)
{
    u8* p = message.data();
    p[0] = header.type;
    p[1] = header.code;
    put_be16(p + 2, 0);
    put_be16(p + 4, header.id);
    put_be16(p + 6, header.sequence);
    put_be16(p + 2, checksum(message));
}

UdpProblem read_udp(ReadonlyBytes datagram, Ipv4Address source, Ipv4Address destination, UdpHeader& out)
{
    if (datagram.size() < UDP_HEADER)
        return UdpProblem::TooShort;
    u8 const* p = datagram.data();
    out = { be16(p), be16(p + 2), be16(p + 4), be16(p + 6) };
    if (out.length < UDP_HEADER || out.length > datagram.size())
        return UdpProblem::BadLength;
    if (out.checksum != 0) {
        u32 sum = pseudo_header_sum(source, destination, PROTOCOL_UDP, out.length);
        if (checksum_finish(checksum_add(datagram.first(out.length), sum)) != 0)
            return UdpProblem::BadChecksum;
    }
    return UdpProblem::None;
}

void write_udp(Bytes datagram, u16 source_port, u16 destination_port, Ipv4Address source, Ipv4Address destination)
{
    u8* p = datagram.data();
    u16 length = u16(datagram.size());
    put_be16(p, source_port);
    put_be16(p + 2, destination_port);
    put_be16(p + 4, length);
    put_be16(p + 6, 0);
    u16 sum = checksum_finish(checksum_add(datagram, pseudo_header_sum(source, destination, PROTOCOL_UDP, length)));
    put_be16(p + 6, sum == 0 ? 0xFFFF : sum);   // 0 would mean "no checksum" (RFC 768)
}

}
