#pragma once
// The UDP echo service (RFC 862): every datagram that arrives on its port goes back to its
// sender unchanged, from a kernel thread ("udp-echo"). `udpecho` in the monitor, or the boot word
// `net.echo=PORT`, starts it; the grader's network tests talk to it.
#include <kstd/error.h>
#include <kstd/types.h>

namespace net {

// Errors: EALREADY (running), EADDRINUSE, ENOMEM. Context: thread.
[[nodiscard]] ErrorOr<void> start_udp_echo(u16 port);
// Stops it and waits for its thread; nothing when it is not running. Context: thread.
void stop_udp_echo();

struct EchoStats {
    bool running;
    u16 port;
    u64 echoed;          // datagrams sent back
    u64 bytes;
    u64 send_errors;     // sends that failed (ENOBUFS: the NIC's ring was full; ENETDOWN)
    u64 queue_drops;     // datagrams the socket's queue had no room for
};
EchoStats udp_echo_stats();

}
