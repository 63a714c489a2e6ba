#pragma once
// ICMP echo (kernel/net/icmp.cpp): what `ping` uses. The stack itself answers echo requests.
#include <kernel/net/address.h>
#include <kstd/error.h>

namespace net {

struct PingReply {
    u64 rtt_ns;          // from just before the request was handed to the interface
    u8 ttl;              // of the reply
    usize payload_size;  // echoed data bytes (checked against what was sent)
};

// Sends one echo request with `payload_size` bytes of a pattern and waits for the matching
// reply (same identifier, sequence and data). Errors: EINVAL (payload above 1472 bytes),
// ENETUNREACH, ENETDOWN, ETIMEDOUT (no reply), EHOSTUNREACH (the host's address could not be
// resolved, or an ICMP "unreachable" came back). Context: thread.
[[nodiscard]] ErrorOr<PingReply> ping(Ipv4Address destination, u16 sequence, usize payload_size, u8 ttl,
                                      u64 timeout_ns);

}
