// ping(request, reply) (kernel/syscall/calls.h): one ICMP echo for a user program, through the
// stack's own ping (include/kernel/net/ping.h), which owns the identifier and the payload and
// matches the reply. The request is copied in and checked whole before anything is sent; the
// reply buffer is checked before the request leaves, so a bad pointer costs no packet.
#include "calls.h"
#include "user_memory.h"
#include <kernel/net/ping.h>
#include <kernel/time/clock.h>
#include <uapi/ping.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

// EINVAL for anything the stack should never see: reserved bytes set, a payload larger than
// one frame, no timeout or one above the limit, and destinations an echo cannot come back from
// as one reply (0.0.0.0, broadcast, multicast).
ErrorOr<void> check_request(uapi::PingRequest const& request)
{
    for (u8 byte : request.reserved) {
        if (byte != 0)
            return Error::from_errno(EINVAL);
    }
    if (request.payload_size > uapi::PING_MAX_PAYLOAD)
        return Error::from_errno(EINVAL);
    if (request.timeout_ms == 0 || request.timeout_ms > uapi::PING_MAX_TIMEOUT_MS)
        return Error::from_errno(EINVAL);
    net::Ipv4Address destination(request.address);
    if (destination.is_any() || destination.is_limited_broadcast() || destination.is_multicast())
        return Error::from_errno(EINVAL);
    return {};
}

}

// Errors: EFAULT, EINVAL, ENETUNREACH (no route), ENETDOWN (no link), EHOSTUNREACH (the
// neighbour did not answer ARP, or an ICMP unreachable came back), ETIMEDOUT, EBUSY (the
// stack's pending pings are all in use), EINTR (killed while waiting).
Result sys_ping(Arguments const& args)
{
    TRY(check_user_buffer(args.a0, sizeof(uapi::PingRequest), Access::Read));
    TRY(check_user_buffer(args.a1, sizeof(uapi::PingReply), Access::Write));
    auto request = TRY(read_user<uapi::PingRequest>(args.a0));
    TRY(check_request(request));
    u64 timeout_ns = u64(request.timeout_ms) * time::NS_PER_MS;
    net::PingReply answer = TRY(net::ping(net::Ipv4Address(request.address), request.sequence,
                                          request.payload_size, request.ttl, timeout_ns));
    uapi::PingReply reply {};
    reply.rtt_ns = answer.rtt_ns;
    reply.payload_size = u32(answer.payload_size);
    reply.ttl = answer.ttl;
    TRY(write_user(args.a1, reply));
    return 0;
}

}
