#pragma once
// DHCP messages (RFC 2131, options RFC 2132): building the client's DISCOVER and REQUEST and
// parsing the server's OFFER, ACK and NAK. Portable (host-tested).
#include <kernel/net/address.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace net::dhcp {

inline constexpr u16 CLIENT_PORT = 68;
inline constexpr u16 SERVER_PORT = 67;
inline constexpr usize MESSAGE_SIZE = 300;     // BOOTP's minimum; ours fit in it
inline constexpr usize FIXED_PART = 236;       // op .. file, before the magic cookie
inline constexpr u32 MAGIC_COOKIE = 0x63825363;

enum class MessageType : u8 {
    None = 0, Discover = 1, Offer = 2, Request = 3, Decline = 4, Ack = 5, Nak = 6, Release = 7,
};

// What the client puts in a message.
struct ClientMessage {
    MessageType type { MessageType::None };
    u32 xid { 0 };
    u16 seconds { 0 };
    MacAddress mac {};
    bool broadcast_reply { false };   // the flags' B bit: we cannot take unicast before we have an address
    Ipv4Address client_address {};    // ciaddr: when renewing
    Ipv4Address requested {};         // option 50: SELECTING/INIT-REBOOT
    Ipv4Address server {};            // option 54: SELECTING
};
// Writes the message into `out` (MESSAGE_SIZE bytes) and returns its length.
usize build(ClientMessage const& message, Bytes out);

// What a server's reply says.
struct ServerMessage {
    MessageType type { MessageType::None };
    u32 xid { 0 };
    Ipv4Address your_address;      // yiaddr
    Ipv4Address server;            // option 54
    Ipv4Address netmask;           // option 1
    Ipv4Address router;            // option 3 (the first)
    Ipv4Address dns;               // option 6 (the first)
    u32 lease_seconds { 0 };       // option 51
    u32 renew_seconds { 0 };       // option 58 (T1), 0 if absent
    u32 rebind_seconds { 0 };      // option 59 (T2), 0 if absent
};
enum class ParseProblem : u8 { None, TooShort, NotAReply, BadCookie, BadOption, NoMessageType, NotForUs };
// Parses a reply for the client with `mac`. Options are bounds-checked; an option that runs
// past the end is BadOption.
ParseProblem parse(ReadonlyBytes data, MacAddress const& mac, ServerMessage& out);

char const* type_name(MessageType type);

}
