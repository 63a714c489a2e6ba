#pragma once
// UDP sockets (kernel/net/udp.cpp): the stack's interface for kernel code (the echo service, the
// DHCP client, tests) and, later, the system calls. Datagrams keep their boundaries; a socket
// has a bounded receive queue, and datagrams that find it full are dropped and counted.
//
//   auto socket = TRY(net::UdpSocket::create());
//   TRY(socket->bind({ net::ANY_ADDRESS, 7 }));
//   net::SocketAddress peer;
//   usize n = TRY(socket->receive_from(buffer, &peer, net::NO_TIMEOUT));
//   TRY(socket->send_to(ReadonlyBytes(buffer).first(n), peer));
//
// One thread may use a socket at a time for each direction; closing it (the destructor) while
// another thread is inside a call on it is a bug of the caller's.
#include <kernel/net/address.h>
#include <kernel/sched/sync.h>
#include <kstd/bitmask.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/span.h>
#include <kstd/unique_ptr.h>

namespace net {

inline constexpr u64 NO_TIMEOUT = ~u64(0);
inline constexpr usize MAX_UDP_PAYLOAD = 1500 - 20 - 8;   // one Ethernet frame, no fragments
inline constexpr usize DEFAULT_RECEIVE_QUEUE = 64;         // datagrams
inline constexpr u16 FIRST_EPHEMERAL_PORT = 49152;

enum class PollEvents : u8 {
    None = 0,
    Readable = 1 << 0,   // a datagram is queued
    Writable = 1 << 1,   // send_to would not fail for lack of an interface or link
};
ENUM_BITMASK(PollEvents)

struct Interface;

// A received datagram waiting in a socket's queue: the frame it came in, where its payload is,
// and who sent it.
struct Datagram {
    IntrusiveListNode link;
    OwnPtr<dev::Packet> frame;
    usize offset { 0 };
    usize length { 0 };
    SocketAddress from;
};

class UdpSocket {
public:
    // Errors: ENOMEM. Context: thread.
    [[nodiscard]] static ErrorOr<OwnPtr<UdpSocket>> create();
    // Unbinds and frees the queued datagrams. Context: thread.
    ~UdpSocket();
    UdpSocket(UdpSocket const&) = delete;
    UdpSocket& operator=(UdpSocket const&) = delete;

    // Binds to a local address (ANY_ADDRESS or one of the interfaces') and port (0: a free one
    // from 49152 up). Errors: EINVAL (already bound), EADDRINUSE, EADDRNOTAVAIL. Context: thread.
    [[nodiscard]] ErrorOr<void> bind(SocketAddress local);
    // Sends one datagram; an unbound socket is bound to a free port first. Errors: EINVAL
    // (port 0), EMSGSIZE (more than MAX_UDP_PAYLOAD), EACCES (broadcast without
    // set_broadcast), ENETUNREACH (no route), ENETDOWN (interface down or no link), ENOBUFS
    // (the NIC's ring is full: dropped, counted), ENOMEM. A datagram waiting for ARP counts
    // as sent. Context: thread or tasklet.
    [[nodiscard]] ErrorOr<usize> send_to(ReadonlyBytes data, SocketAddress destination);
    // Takes the oldest datagram: copies up to buffer.size() bytes (the rest of a longer one is
    // lost, as with recvfrom), returns how many, and its sender in *from (may be null). Waits
    // up to timeout_ns for one (0: not at all, NO_TIMEOUT: for ever). Errors: EAGAIN (timeout
    // 0, nothing queued), ETIMEDOUT, EINVAL (not bound), ESHUTDOWN. Context: thread.
    [[nodiscard]] ErrorOr<usize> receive_from(Bytes buffer, SocketAddress* from, u64 timeout_ns);

    // Stops receiving: threads waiting in receive_from() or wait() return ESHUTDOWN, and so
    // does every later receive_from() once the queue is empty (Linux's shutdown(SHUT_RD)).
    // The way to stop a thread that sleeps on a socket. Context: any.
    void shutdown();

    // What the socket is ready for now. Context: any.
    PollEvents poll_events() const;
    // Sleeps until one of `interest` is ready; returns the ready events. Errors: ETIMEDOUT,
    // ESHUTDOWN. Context: thread.
    [[nodiscard]] ErrorOr<PollEvents> wait(PollEvents interest, u64 timeout_ns);

    // Options. TTL of sent datagrams (default 64); broadcast allowed; sending and receiving
    // only through one interface (and from 0.0.0.0 while it has no address: DHCP).
    void set_ttl(u8 ttl) { m_ttl = ttl == 0 ? 64 : ttl; }
    void set_broadcast(bool allowed) { m_broadcast = allowed; }
    [[nodiscard]] ErrorOr<void> bind_to_interface(StringView name);   // ENOENT
    void set_receive_queue_limit(usize datagrams) { m_queue_limit = datagrams ? datagrams : 1; }

    SocketAddress local_address() const { return m_local; }
    usize queued() const;
    u64 dropped() const { return m_dropped; }   // datagrams that found the queue full

    // --- for the UDP layer (kernel/net/udp.cpp) ---
    IntrusiveListNode m_table_link;   // Guarded by the socket table lock
    bool accepts(Ipv4Address destination, Interface const* interface) const;
    // Queues a datagram and wakes readers, or drops it (counted) when the queue is full.
    // Context: any but IRQ.
    bool enqueue(OwnPtr<Datagram> datagram);
    // A datagram that found the queue full before it was even copied. Context: any but IRQ.
    void count_drop();
    usize queue_limit() const { return m_queue_limit; }
    Interface* bound_interface() const { return m_interface; }

private:
    UdpSocket() = default;
    OwnPtr<Datagram> dequeue();

    SocketAddress m_local;
    bool m_bound { false };
    u8 m_ttl { 64 };
    bool m_broadcast { false };
    Interface* m_interface { nullptr };
    usize m_queue_limit { DEFAULT_RECEIVE_QUEUE };
    mutable sched::Spinlock m_queue_lock { "udp-queue" };
    IntrusiveList<Datagram, &Datagram::link> m_queue;   // Guarded by m_queue_lock; owns its datagrams
    u64 m_dropped { 0 };
    bool volatile m_shutdown { false };
    mutable sched::WaitQueue m_wait;
};

// Several sockets at once: sleeps until one of them is ready for its entry's interest (or the
// timeout passes) and fills in each entry's `ready`. Returns how many are ready (0 after the
// timeout, as poll(2)). Context: thread.
struct PollEntry {
    UdpSocket* socket;
    PollEvents interest;
    PollEvents ready;
};
usize poll(Span<PollEntry> entries, u64 timeout_ns);

}
