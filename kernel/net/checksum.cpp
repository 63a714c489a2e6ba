// The Internet checksum (kernel/net/checksum.h).
#include "checksum.h"

namespace net {

u32 checksum_add(ReadonlyBytes data, u32 sum)
{
    usize i = 0;
    for (; i + 1 < data.size(); i += 2)
        sum += u32(data[i]) << 8 | data[i + 1];
    if (i < data.size())
        sum += u32(data[i]) << 8;
    // Fold the carries: a frame (at most 64 KiB) adds at most 2^31 to a folded sum, so the
    // next part cannot overflow 32 bits.
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return sum;
}

u16 checksum_finish(u32 sum)
{
    while (sum >> 16)
        sum = (sum & 0xFFFF) + (sum >> 16);
    return u16(~sum);
}

u32 pseudo_header_sum(Ipv4Address source, Ipv4Address destination, u8 protocol, u16 length)
{
    u32 sum = (source.value >> 16) + (source.value & 0xFFFF);
    sum += (destination.value >> 16) + (destination.value & 0xFFFF);
    sum += protocol;
    sum += length;
    return sum;
}

}
