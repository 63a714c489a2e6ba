// Address parsing and formatting (include/kernel/net/address.h).
#include <kernel/net/address.h>
#include <kstd/format.h>

namespace net {

int prefix_of(Ipv4Address netmask)
{
    u32 mask = netmask.value;
    int prefix = 0;
    while (prefix < 32 && (mask & (0x80000000u >> prefix)))
        ++prefix;
    u32 contiguous = prefix == 0 ? 0 : prefix == 32 ? 0xFFFFFFFF : ~((1u << (32 - prefix)) - 1);
    return mask == contiguous ? prefix : -1;
}

ErrorOr<Ipv4Address> parse_ipv4(StringView text)
{
    u32 value = 0;
    for (int i = 0; i < 4; ++i) {
        auto dot = text.find('.');
        StringView part = i < 3 ? (dot.has_value() ? text.substring(0, *dot) : StringView()) : text;
        if (part.is_empty() || part.length() > 3)
            return Error::from_errno(EINVAL);
        for (char c : part) {
            if (!kstd::is_digit(c))
                return Error::from_errno(EINVAL);
        }
        u64 octet = TRY(kstd::parse_u64(part, 10));
        if (octet > 255)
            return Error::from_errno(EINVAL);
        value = value << 8 | u32(octet);
        if (i < 3)
            text = text.substring(*dot + 1);
    }
    return Ipv4Address(value);
}

ErrorOr<Ipv4Prefix> parse_ipv4_prefix(StringView text, unsigned default_prefix)
{
    auto slash = text.find('/');
    if (!slash.has_value())
        return Ipv4Prefix { TRY(parse_ipv4(text)), default_prefix };
    StringView length = text.substring(*slash + 1);
    if (length.is_empty() || length.length() > 2)
        return Error::from_errno(EINVAL);
    u64 prefix = TRY(kstd::parse_u64(length, 10));
    if (prefix > 32)
        return Error::from_errno(EINVAL);
    return Ipv4Prefix { TRY(parse_ipv4(text.substring(0, *slash))), unsigned(prefix) };
}

char const* format_ipv4(Ipv4Address address, char (&buffer)[IPV4_TEXT])
{
    kstd::snprintf(buffer, sizeof(buffer), "%u.%u.%u.%u", address.octet(0), address.octet(1), address.octet(2),
                   address.octet(3));
    return buffer;
}

char const* format_mac(MacAddress const& mac, char (&buffer)[MAC_TEXT])
{
    u8 const* m = mac.bytes;
    kstd::snprintf(buffer, sizeof(buffer), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
    return buffer;
}

}
