#pragma once
// ICMP echo for user programs (user/bin/ping.cpp): the ping(request, reply) system call sends one
// echo request and waits for its reply, through the stack's own ping (include/kernel/net/
// ping.h). The kernel picks the ICMP identifier and the payload's bytes, and accepts only the
// reply whose identifier, sequence, source and data all match, so a program cannot forge or
// steal another's replies (as Linux's unprivileged "ping sockets" promise).
#include <kstd/types.h>

namespace uapi {

inline constexpr u32 PING_MAX_PAYLOAD = 1500 - 20 - 8;   // one Ethernet frame, no fragments
inline constexpr u32 PING_MAX_TIMEOUT_MS = 60'000;

struct PingRequest {
    u32 address;        // the destination, host order: 10.0.2.2 is 0x0A000202
    u16 sequence;       // echoed back; the program's own numbering
    u16 payload_size;   // data bytes after the ICMP header, at most PING_MAX_PAYLOAD
    u32 timeout_ms;     // how long to wait for the reply: 1 .. PING_MAX_TIMEOUT_MS
    u8 ttl;             // of the request; 0 means 64
    u8 reserved[3];     // must be zero
};

struct PingReply {
    u64 rtt_ns;         // from just before the request went to the interface to the reply
    u32 payload_size;   // data bytes echoed (checked against what was sent)
    u8 ttl;             // of the reply
    u8 reserved[3];
};

}
