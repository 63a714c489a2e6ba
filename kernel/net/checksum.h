#pragma once
// The Internet checksum (RFC 1071): the 16-bit one's complement of the one's complement sum of
// the data taken as big-endian 16-bit words (an odd last byte is padded with zero). A header that
// carries its own checksum sums to 0xFFFF, so checksum() over it gives 0 when it is intact.
// Portable (host-tested).
#include <kernel/net/address.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace net {

// The running 32-bit sum, to be folded by checksum_finish(). `sum` continues an earlier one;
// every part but the last must have an even length.
u32 checksum_add(ReadonlyBytes data, u32 sum = 0);
// Folds the carries and complements: the value to store in a header.
u16 checksum_finish(u32 sum);
inline u16 checksum(ReadonlyBytes data) { return checksum_finish(checksum_add(data)); }
// The UDP/TCP pseudo-header (RFC 768): source, destination, zero, protocol, length.
u32 pseudo_header_sum(Ipv4Address source, Ipv4Address destination, u8 protocol, u16 length);

}
