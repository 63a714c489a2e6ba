#pragma once
// The wire formats the stack speaks: Ethernet II, ARP for IPv4 over Ethernet (RFC 826), IPv4
// (RFC 791), ICMP echo and destination unreachable (RFC 792), UDP (RFC 768). Every field is
// big-endian on the wire; these functions read and write them by offset, so no struct layout or
// alignment is assumed. Parsers check what they read and say what was wrong, so that the stack
// can count malformed input by kind and drop it. Portable (host-tested).
#include <kernel/net/address.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace net::wire {

inline constexpr usize ETHERNET_HEADER = 14;
inline constexpr usize ARP_PACKET = 28;
inline constexpr usize IPV4_HEADER = 20;          // without options (what this stack sends)
inline constexpr usize IPV4_MAX_HEADER = 60;
inline constexpr usize UDP_HEADER = 8;
inline constexpr usize ICMP_HEADER = 8;
// Where the transport header starts in a frame this stack builds.
inline constexpr usize TRANSPORT_OFFSET = ETHERNET_HEADER + IPV4_HEADER;
inline constexpr usize MIN_FRAME = 60;            // without the CRC; shorter frames are padded

inline constexpr u16 ETHERTYPE_IPV4 = 0x0800;
inline constexpr u16 ETHERTYPE_ARP = 0x0806;
inline constexpr u8 PROTOCOL_ICMP = 1;
inline constexpr u8 PROTOCOL_UDP = 17;

inline u16 be16(u8 const* p) { return u16(p[0] << 8 | p[1]); }
inline u32 be32(u8 const* p) { return u32(p[0]) << 24 | u32(p[1]) << 16 | u32(p[2]) << 8 | p[3]; }
inline void put_be16(u8* p, u16 v)
{
    p[0] = u8(v >> 8);
    p[1] = u8(v);
}
inline void put_be32(u8* p, u32 v)
{
    put_be16(p, u16(v >> 16));
    put_be16(p + 2, u16(v));
}

// --- Ethernet ---------------------------------------------------------------------------------
struct EthernetHeader {
    MacAddress destination;
    MacAddress source;
    u16 type;
};
// The frame must hold at least ETHERNET_HEADER bytes (the net class checks that).
EthernetHeader read_ethernet(ReadonlyBytes frame);
void write_ethernet(Bytes frame, EthernetHeader const& header);

// --- ARP ----------------------------------------------------------------------------------------
inline constexpr u16 ARP_REQUEST = 1;
inline constexpr u16 ARP_REPLY = 2;
struct ArpPacket {
    u16 operation;
    MacAddress sender_mac;
    Ipv4Address sender_ip;
    MacAddress target_mac;
    Ipv4Address target_ip;
};
enum class ArpProblem : u8 { None, TooShort, NotEthernetIpv4, BadSizes, BadOperation };
// Parses the ARP payload (after the Ethernet header): hardware type 1 (Ethernet), protocol
// 0x0800, sizes 6 and 4, operation 1 or 2; anything else is named in `problem`.
ArpProblem read_arp(ReadonlyBytes payload, ArpPacket& out);
void write_arp(Bytes payload, ArpPacket const& packet);   // ARP_PACKET bytes

// --- IPv4 ---------------------------------------------------------------------------------------
struct Ipv4Header {
    usize header_length { IPV4_HEADER };   // bytes (IHL * 4)
    u8 tos { 0 };
    u16 total_length { 0 };
    u16 id { 0 };
    bool dont_fragment { false };
    bool more_fragments { false };
    u16 fragment_offset { 0 };             // in 8-byte units
    u8 ttl { 64 };
    u8 protocol { 0 };
    Ipv4Address source;
    Ipv4Address destination;
    bool is_fragment() const { return more_fragments || fragment_offset != 0; }
};
enum class Ipv4Problem : u8 { None, TooShort, BadVersion, BadHeaderLength, BadTotalLength, BadChecksum };
// Parses and checks the header at the start of `packet` (the IP datagram, after Ethernet):
// version 4, IHL >= 5 and within the data, total length between the header and the data
// (Ethernet may pad after it), header checksum.
Ipv4Problem read_ipv4(ReadonlyBytes packet, Ipv4Header& out);
// Writes a 20-byte header (no options) with its checksum.
void write_ipv4(Bytes packet, Ipv4Header const& header);

// --- ICMP ---------------------------------------------------------------------------------------
inline constexpr u8 ICMP_ECHO_REPLY = 0;
inline constexpr u8 ICMP_DESTINATION_UNREACHABLE = 3;
inline constexpr u8 ICMP_ECHO_REQUEST = 8;
inline constexpr u8 ICMP_PORT_UNREACHABLE = 3;   // code of ICMP_DESTINATION_UNREACHABLE
struct IcmpHeader {
    u8 type;
    u8 code;
    u16 id;         // echo: identifier; others: the first half of the "rest of header"
    u16 sequence;   // echo: sequence number
};
// The message must be at least ICMP_HEADER bytes; the checksum covers header and data.
IcmpHeader read_icmp(ReadonlyBytes message);
// Writes the header and then the checksum over the whole message (header + data).
void write_icmp(Bytes message, IcmpHeader const& header);

// --- UDP ----------------------------------------------------------------------------------------
struct UdpHeader {
    u16 source_port;
    u16 destination_port;
    u16 length;     // header + data
    u16 checksum;   // 0: none was computed (allowed over IPv4)
};
enum class UdpProblem : u8 { None, TooShort, BadLength, BadChecksum };
// Parses and checks a datagram (the IP payload): the length field between 8 and the payload,
// and the checksum over the pseudo-header when it is not 0.
UdpProblem read_udp(ReadonlyBytes datagram, Ipv4Address source, Ipv4Address destination, UdpHeader& out);
// Writes the header of `datagram` (header + data, already in place) and its checksum.
void write_udp(Bytes datagram, u16 source_port, u16 destination_port, Ipv4Address source,
               Ipv4Address destination);

}
