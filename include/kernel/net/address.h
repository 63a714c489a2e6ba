#pragma once
// Addresses of the network stack (kernel/net): IPv4 addresses and UDP endpoints, and their text
// forms. Portable (the host unit tests use it too).
#include <kernel/dev/packet.h>
#include <kstd/error.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace net {

using dev::MacAddress;

// An IPv4 address in host byte order (10.0.2.15 is 0x0A00020F).
struct Ipv4Address {
    u32 value { 0 };

    constexpr Ipv4Address() = default;
    constexpr explicit Ipv4Address(u32 host_order) : value(host_order) {}
    constexpr Ipv4Address(u8 a, u8 b, u8 c, u8 d) : value(u32(a) << 24 | u32(b) << 16 | u32(c) << 8 | d) {}
    constexpr bool operator==(Ipv4Address const&) const = default;

    constexpr bool is_any() const { return value == 0; }                         // 0.0.0.0
    constexpr bool is_limited_broadcast() const { return value == 0xFFFFFFFF; }  // 255.255.255.255
    constexpr bool is_loopback() const { return (value >> 24) == 127; }
    constexpr bool is_multicast() const { return (value >> 28) == 0xE; }
    constexpr u8 octet(unsigned i) const { return u8(value >> (24 - 8 * i)); }
};

inline constexpr Ipv4Address ANY_ADDRESS {};
inline constexpr Ipv4Address BROADCAST_ADDRESS { 0xFFFFFFFF };

// The netmask of a prefix length (24 -> 255.255.255.0); 0 for 0, all ones for 32 and above.
constexpr Ipv4Address netmask_of(unsigned prefix)
{
    return Ipv4Address(prefix == 0 ? 0 : prefix >= 32 ? 0xFFFFFFFF : ~((1u << (32 - prefix)) - 1));
}
// The prefix length of a netmask, or -1 when its ones are not contiguous.
int prefix_of(Ipv4Address netmask);

// A UDP (or other transport) endpoint.
struct SocketAddress {
    Ipv4Address address;
    u16 port { 0 };
    constexpr bool operator==(SocketAddress const&) const = default;
};

inline constexpr MacAddress BROADCAST_MAC { { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF } };

// "a.b.c.d". Errors: EINVAL (not four decimal octets of at most 255).
[[nodiscard]] ErrorOr<Ipv4Address> parse_ipv4(StringView text);
// "a.b.c.d/N" (N 0-32; without "/N", `default_prefix`). Errors: EINVAL.
struct Ipv4Prefix {
    Ipv4Address address;
    unsigned prefix;
};
[[nodiscard]] ErrorOr<Ipv4Prefix> parse_ipv4_prefix(StringView text, unsigned default_prefix = 24);

// Text forms into a caller's buffer, which they return: "10.0.2.15" (16 bytes suffice),
// "52:54:00:12:34:56" (18 bytes).
inline constexpr usize IPV4_TEXT = 16;
inline constexpr usize MAC_TEXT = 18;
char const* format_ipv4(Ipv4Address address, char (&buffer)[IPV4_TEXT]);
char const* format_mac(MacAddress const& mac, char (&buffer)[MAC_TEXT]);

}
