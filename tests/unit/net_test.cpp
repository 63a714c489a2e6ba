// The network stack's portable parts (kernel/net): the Internet checksum, the wire formats and
// their checks, DHCP messages, and address parsing.
#include "support.h"
#include "../../kernel/net/checksum.h"
#include "../../kernel/net/dhcp_message.h"
#include "../../kernel/net/wire.h"
#include <kernel/net/address.h>
#include <cstring>
#include <vector>

using namespace net;

namespace {

// RFC 1071's example: 00 01 f2 03 f4 f5 f6 f7 sums (one's complement) to 0xddf2.
constexpr u8 RFC1071_DATA[] = { 0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7 };

std::vector<u8> udp_packet(Ipv4Address src, Ipv4Address dst, u16 sport, u16 dport, std::vector<u8> const& data)
{
    std::vector<u8> packet(wire::IPV4_HEADER + wire::UDP_HEADER + data.size());
    std::memcpy(packet.data() + wire::IPV4_HEADER + wire::UDP_HEADER, data.data(), data.size());
    wire::write_udp(Bytes(packet.data() + wire::IPV4_HEADER, packet.size() - wire::IPV4_HEADER), sport, dport, src, dst);
    wire::Ipv4Header header;
    header.total_length = u16(packet.size());
    header.protocol = wire::PROTOCOL_UDP;
    header.source = src;
    header.destination = dst;
    wire::write_ipv4(Bytes(packet.data(), packet.size()), header);
    return packet;
}

}

TEST_CASE("Internet checksum: RFC 1071's example, odd lengths, and a header that sums to zero", "[net]")
{
    REQUIRE(checksum_finish(checksum_add(ReadonlyBytes(RFC1071_DATA, 8))) == u16(~0xddf2));
    u8 odd[] = { 0x12, 0x34, 0x56 };   // 0x1234 + 0x5600
    REQUIRE(checksum(ReadonlyBytes(odd, 3)) == u16(~(0x1234 + 0x5600)));
    // Split sums continue where the last part stopped (parts of even length).
    REQUIRE(checksum_finish(checksum_add(ReadonlyBytes(RFC1071_DATA + 4, 4), checksum_add(ReadonlyBytes(RFC1071_DATA, 4))))
            == checksum(ReadonlyBytes(RFC1071_DATA, 8)));
    auto packet = udp_packet(Ipv4Address(10, 0, 2, 15), Ipv4Address(10, 0, 2, 2), 68, 67, { 1, 2, 3 });
    REQUIRE(checksum(ReadonlyBytes(packet.data(), wire::IPV4_HEADER)) == 0);
}

TEST_CASE("IPv4 header checks: version, header length, total length, checksum, fragments", "[net]")
{
    Ipv4Address a(192, 168, 76, 1), b(192, 168, 76, 2);
    auto packet = udp_packet(a, b, 1000, 7, { 'h', 'i' });
    wire::Ipv4Header header;
    REQUIRE(wire::read_ipv4(ReadonlyBytes(packet.data(), packet.size()), header) == wire::Ipv4Problem::None);
    REQUIRE(header.source == a);
    REQUIRE(header.destination == b);
    REQUIRE(header.total_length == packet.size());
    REQUIRE(!header.is_fragment());

    // Ethernet padding after the datagram is allowed; a total length past the data is not.
    auto padded = packet;
    padded.resize(60, 0);
    REQUIRE(wire::read_ipv4(ReadonlyBytes(padded.data(), padded.size()), header) == wire::Ipv4Problem::None);
    REQUIRE(wire::read_ipv4(ReadonlyBytes(packet.data(), 10), header) == wire::Ipv4Problem::TooShort);

    auto broken = packet;
    broken[0] = 0x65;
    REQUIRE(wire::read_ipv4(ReadonlyBytes(broken.data(), broken.size()), header) == wire::Ipv4Problem::BadVersion);
    broken = packet;
    broken[0] = 0x44;
    REQUIRE(wire::read_ipv4(ReadonlyBytes(broken.data(), broken.size()), header) == wire::Ipv4Problem::BadHeaderLength);
    broken = packet;
    broken[3] = u8(broken[3] + 100);
    REQUIRE(wire::read_ipv4(ReadonlyBytes(broken.data(), broken.size()), header) == wire::Ipv4Problem::BadTotalLength);
    broken = packet;
    broken[8] ^= 1;   // TTL changed, checksum not
    REQUIRE(wire::read_ipv4(ReadonlyBytes(broken.data(), broken.size()), header) == wire::Ipv4Problem::BadChecksum);
}

TEST_CASE("UDP: length field and pseudo-header checksum are checked; 0 means no checksum", "[net]")
{
    Ipv4Address a(10, 0, 0, 1), b(10, 0, 0, 2);
    auto packet = udp_packet(a, b, 1234, 7, { 1, 2, 3, 4, 5 });
    ReadonlyBytes datagram(packet.data() + wire::IPV4_HEADER, packet.size() - wire::IPV4_HEADER);
    wire::UdpHeader header;
    REQUIRE(wire::read_udp(datagram, a, b, header) == wire::UdpProblem::None);
    REQUIRE(header.source_port == 1234);
    REQUIRE(header.destination_port == 7);
    REQUIRE(header.length == 13);
    // The checksum covers the addresses: the same datagram "from" another host is bad.
    REQUIRE(wire::read_udp(datagram, Ipv4Address(10, 0, 0, 9), b, header) == wire::UdpProblem::BadChecksum);
    auto no_sum = packet;
    no_sum[wire::IPV4_HEADER + 6] = no_sum[wire::IPV4_HEADER + 7] = 0;
    REQUIRE(wire::read_udp(ReadonlyBytes(no_sum.data() + wire::IPV4_HEADER, 13), Ipv4Address(10, 0, 0, 9), b, header)
            == wire::UdpProblem::None);
    auto lying = packet;
    lying[wire::IPV4_HEADER + 5] = 200;
    REQUIRE(wire::read_udp(ReadonlyBytes(lying.data() + wire::IPV4_HEADER, 13), a, b, header) == wire::UdpProblem::BadLength);
    REQUIRE(wire::read_udp(ReadonlyBytes(packet.data() + wire::IPV4_HEADER, 4), a, b, header) == wire::UdpProblem::TooShort);
}

TEST_CASE("ARP: Ethernet/IPv4 with sizes 6 and 4 only; a request round-trips", "[net]")
{
    wire::ArpPacket arp { wire::ARP_REQUEST, MacAddress { { 0x52, 0x54, 0, 1, 2, 3 } }, Ipv4Address(10, 0, 2, 15), {},
                          Ipv4Address(10, 0, 2, 2) };
    u8 bytes[wire::ARP_PACKET];
    wire::write_arp(Bytes(bytes, sizeof(bytes)), arp);
    wire::ArpPacket back;
    REQUIRE(wire::read_arp(ReadonlyBytes(bytes, sizeof(bytes)), back) == wire::ArpProblem::None);
    REQUIRE(back.sender_mac == arp.sender_mac);
    REQUIRE(back.target_ip == arp.target_ip);
    REQUIRE(wire::read_arp(ReadonlyBytes(bytes, 20), back) == wire::ArpProblem::TooShort);
    bytes[4] = 8;
    REQUIRE(wire::read_arp(ReadonlyBytes(bytes, sizeof(bytes)), back) == wire::ArpProblem::BadSizes);
    bytes[4] = 6;
    bytes[3] = 0xDD;
    REQUIRE(wire::read_arp(ReadonlyBytes(bytes, sizeof(bytes)), back) == wire::ArpProblem::NotEthernetIpv4);
    bytes[3] = 0x00;
    bytes[7] = 7;
    REQUIRE(wire::read_arp(ReadonlyBytes(bytes, sizeof(bytes)), back) == wire::ArpProblem::BadOperation);
}

TEST_CASE("DHCP: a DISCOVER as RFC 2131 wants it; an OFFER parsed; options bounds-checked", "[net][dhcp]")
{
    MacAddress mac { { 0x52, 0x54, 0, 0x12, 0x34, 0x56 } };
    u8 out[dhcp::MESSAGE_SIZE];
    dhcp::ClientMessage discover { .type = dhcp::MessageType::Discover, .xid = 0xCAFEF00D, .mac = mac,
                                   .broadcast_reply = true };
    REQUIRE(dhcp::build(discover, Bytes(out, sizeof(out))) == dhcp::MESSAGE_SIZE);
    REQUIRE(out[0] == 1);                          // BOOTREQUEST
    REQUIRE(wire::be32(out + 4) == 0xCAFEF00D);
    REQUIRE(wire::be16(out + 10) == 0x8000);       // broadcast flag
    REQUIRE(std::memcmp(out + 28, mac.bytes, 6) == 0);
    REQUIRE(wire::be32(out + dhcp::FIXED_PART) == dhcp::MAGIC_COOKIE);
    REQUIRE(out[dhcp::FIXED_PART + 4] == 53);      // first option: the message type
    REQUIRE(out[dhcp::FIXED_PART + 6] == 1);

    // A server's OFFER: our DISCOVER turned round, with yiaddr and options.
    std::vector<u8> offer(out, out + dhcp::FIXED_PART + 4);
    offer[0] = 2;
    wire::put_be32(offer.data() + 16, Ipv4Address(10, 0, 2, 15).value);
    std::vector<u8> options = { 53, 1, 2, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0, 3, 4, 10, 0, 2, 2,
                                6, 4, 10, 0, 2, 3, 51, 4, 0, 1, 0x51, 0x80, 255 };
    offer.insert(offer.end(), options.begin(), options.end());
    dhcp::ServerMessage parsed;
    REQUIRE(dhcp::parse(ReadonlyBytes(offer.data(), offer.size()), mac, parsed) == dhcp::ParseProblem::None);
    REQUIRE(parsed.type == dhcp::MessageType::Offer);
    REQUIRE(parsed.xid == 0xCAFEF00D);
    REQUIRE(parsed.your_address == Ipv4Address(10, 0, 2, 15));
    REQUIRE(parsed.server == Ipv4Address(10, 0, 2, 2));
    REQUIRE(parsed.netmask == Ipv4Address(255, 255, 255, 0));
    REQUIRE(parsed.router == Ipv4Address(10, 0, 2, 2));
    REQUIRE(parsed.dns == Ipv4Address(10, 0, 2, 3));
    REQUIRE(parsed.lease_seconds == 86400);

    auto truncated = offer;
    truncated.resize(offer.size() - 10);   // the lease option runs past the end
    REQUIRE(dhcp::parse(ReadonlyBytes(truncated.data(), truncated.size()), mac, parsed) == dhcp::ParseProblem::BadOption);
    MacAddress other { { 2, 0, 0, 0, 0, 1 } };
    REQUIRE(dhcp::parse(ReadonlyBytes(offer.data(), offer.size()), other, parsed) == dhcp::ParseProblem::NotForUs);
    offer[dhcp::FIXED_PART] = 0;
    REQUIRE(dhcp::parse(ReadonlyBytes(offer.data(), offer.size()), mac, parsed) == dhcp::ParseProblem::BadCookie);
}

TEST_CASE("Addresses: parsing, prefixes and text forms", "[net]")
{
    REQUIRE(parse_ipv4("10.0.2.15").value() == Ipv4Address(10, 0, 2, 15));
    for (char const* bad : { "", "10.0.2", "10.0.2.15.1", "256.0.0.1", "1..2.3", "a.b.c.d", "1.2.3.4 " })
        REQUIRE(parse_ipv4(bad).is_error());
    auto prefix = parse_ipv4_prefix("192.168.76.2/24").value();
    REQUIRE(prefix.address == Ipv4Address(192, 168, 76, 2));
    REQUIRE(prefix.prefix == 24);
    REQUIRE(parse_ipv4_prefix("10.0.0.1").value().prefix == 24);
    REQUIRE(parse_ipv4_prefix("10.0.0.1/33").is_error());
    REQUIRE(netmask_of(24) == Ipv4Address(255, 255, 255, 0));
    REQUIRE(netmask_of(0) == Ipv4Address(0u));
    REQUIRE(netmask_of(32) == BROADCAST_ADDRESS);
    REQUIRE(prefix_of(Ipv4Address(255, 255, 240, 0)) == 20);
    REQUIRE(prefix_of(Ipv4Address(255, 0, 255, 0)) == -1);
    char text[IPV4_TEXT];
    REQUIRE(std::string(format_ipv4(Ipv4Address(10, 0, 2, 15), text)) == "10.0.2.15");
    char mac[MAC_TEXT];
    REQUIRE(std::string(format_mac(MacAddress { { 0x52, 0x54, 0, 0xab, 0xcd, 0xef } }, mac)) == "52:54:00:ab:cd:ef");
}
