// Building and parsing DHCP messages (kernel/net/dhcp_message.h).
#include "dhcp_message.h"
#include "wire.h"
#include <kstd/string.h>

namespace net::dhcp {

namespace {

using wire::be32;
using wire::put_be16;
using wire::put_be32;

enum Option : u8 {
    PAD = 0, SUBNET_MASK = 1, ROUTER = 3, DNS = 6, HOST_NAME = 12, REQUESTED_ADDRESS = 50, LEASE_TIME = 51,
    MESSAGE_TYPE = 53, SERVER_ID = 54, PARAMETER_LIST = 55, RENEWAL_TIME = 58, REBINDING_TIME = 59, END = 255,
};

u8* put_option(u8* p, u8 code, ReadonlyBytes value)
{
    *p++ = code;
    *p++ = u8(value.size());
    memcpy(p, value.data(), value.size());
    return p + value.size();
}

u8* put_address_option(u8* p, u8 code, Ipv4Address address)
{
    u8 bytes[4];
    put_be32(bytes, address.value);
    return put_option(p, code, ReadonlyBytes(bytes, 4));
}

// One option of a reply into `out`; false when its length is wrong for its kind.
bool take_option(u8 code, ReadonlyBytes value, ServerMessage& out)
{
    auto address = [&value](Ipv4Address& field) {
        if (value.size() < 4 || value.size() % 4 != 0)
            return false;
        field = Ipv4Address(be32(value.data()));
        return true;
    };
    auto seconds = [&value](u32& field) {
        if (value.size() != 4)
            return false;
        field = be32(value.data());
        return true;
    };
    switch (code) {
    case MESSAGE_TYPE:
        if (value.size() != 1)
            return false;
        out.type = MessageType(value[0]);
        return true;
    case SUBNET_MASK:
        return address(out.netmask);
    case ROUTER:
        return address(out.router);
    case DNS:
        return address(out.dns);
    case SERVER_ID:
        return address(out.server);
    case LEASE_TIME:
        return seconds(out.lease_seconds);
    case RENEWAL_TIME:
        return seconds(out.renew_seconds);
    case REBINDING_TIME:
        return seconds(out.rebind_seconds);
    default:
        return true;   // not one we use
    }
}

}

usize build(ClientMessage const& message, Bytes out)
{
    memset(out.data(), 0, MESSAGE_SIZE);
    u8* p = out.data();
    p[0] = 1;   // BOOTREQUEST
    p[1] = 1;   // Ethernet
    p[2] = 6;
    put_be32(p + 4, message.xid);
    put_be16(p + 8, message.seconds);
    put_be16(p + 10, message.broadcast_reply ? 0x8000 : 0);
    put_be32(p + 12, message.client_address.value);
    memcpy(p + 28, message.mac.bytes, 6);
    put_be32(p + FIXED_PART, MAGIC_COOKIE);
    u8* o = p + FIXED_PART + 4;
    u8 type = u8(message.type);
    o = put_option(o, MESSAGE_TYPE, ReadonlyBytes(&type, 1));
    if (!message.requested.is_any())
        o = put_address_option(o, REQUESTED_ADDRESS, message.requested);
    if (!message.server.is_any())
        o = put_address_option(o, SERVER_ID, message.server);
    static constexpr u8 wanted[] = { SUBNET_MASK, ROUTER, DNS, LEASE_TIME, RENEWAL_TIME, REBINDING_TIME };
    o = put_option(o, PARAMETER_LIST, ReadonlyBytes(wanted, sizeof(wanted)));
    static constexpr char host[] = "conduit";
    o = put_option(o, HOST_NAME, ReadonlyBytes(reinterpret_cast<u8 const*>(host), sizeof(host) - 1));
    *o++ = END;
    return MESSAGE_SIZE;
}

ParseProblem parse(ReadonlyBytes data, MacAddress const& mac, ServerMessage& out)
{
    if (data.size() < FIXED_PART + 4)
        return ParseProblem::TooShort;
    u8 const* p = data.data();
    if (p[0] != 2 || p[1] != 1 || p[2] != 6)
        return ParseProblem::NotAReply;
    if (be32(p + FIXED_PART) != MAGIC_COOKIE)
        return ParseProblem::BadCookie;
    if (memcmp(p + 28, mac.bytes, 6) != 0)
        return ParseProblem::NotForUs;
    out = {};
    out.xid = be32(p + 4);
    out.your_address = Ipv4Address(be32(p + 16));
    usize i = FIXED_PART + 4;
    while (i < data.size() && data[i] != END) {
        if (data[i] == PAD) {
            ++i;
            continue;
        }
        if (i + 2 > data.size() || i + 2 + data[i + 1] > data.size())
            return ParseProblem::BadOption;
        if (!take_option(data[i], data.subspan(i + 2, data[i + 1]), out))
            return ParseProblem::BadOption;
        i += 2 + data[i + 1];
    }
    return out.type == MessageType::None ? ParseProblem::NoMessageType : ParseProblem::None;
}

char const* type_name(MessageType type)
{
    switch (type) {
    case MessageType::Discover:
        return "DISCOVER";
    case MessageType::Offer:
        return "OFFER";
    case MessageType::Request:
        return "REQUEST";
    case MessageType::Decline:
        return "DECLINE";
    case MessageType::Ack:
        return "ACK";
    case MessageType::Nak:
        return "NAK";
    case MessageType::Release:
        return "RELEASE";
    case MessageType::None:
        break;
    }
    return "?";
}

}
