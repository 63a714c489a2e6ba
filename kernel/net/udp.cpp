// UDP (RFC 768) and its sockets (include/kernel/net/socket.h).
//
// The socket table maps a local port (and address) to a socket. A datagram that arrives is
// checked (length field, checksum over the pseudo-header), then queued on its socket, which
// wakes a reader; a full queue drops it and counts. No socket on the port: an ICMP port
// unreachable goes back (rate limited), as a host should.
#include "checksum.h"
#include "stack.h"
#include <kernel/net/socket.h>
#include <kernel/sched/entity.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace net {

namespace {

sched::Spinlock g_table_lock { "udp-sockets" };
IntrusiveList<UdpSocket, &UdpSocket::m_table_link> g_sockets;   // Guarded by g_table_lock
u16 g_next_ephemeral = FIRST_EPHEMERAL_PORT;                     // Guarded by g_table_lock
sched::WaitQueue g_poll_wait;   // every socket that becomes readable wakes poll() too

bool port_taken_locked(u16 port, Ipv4Address address)
{
    for (UdpSocket& socket : g_sockets) {
        SocketAddress local = socket.local_address();
        if (local.port == port && (local.address.is_any() || address.is_any() || local.address == address))
            return true;
    }
    return false;
}

u16 ephemeral_port_locked()
{
    for (u32 tries = 0; tries < 65536 - FIRST_EPHEMERAL_PORT; ++tries) {
        u16 port = g_next_ephemeral;
        g_next_ephemeral = g_next_ephemeral == 0xFFFF ? FIRST_EPHEMERAL_PORT : u16(g_next_ephemeral + 1);
        if (!port_taken_locked(port, ANY_ADDRESS))
            return port;
    }
    return 0;
}

// The socket for a datagram to destination:port that came in on `interface`: one bound to that
// exact address first, else one bound to any address.
UdpSocket* lookup_locked(Ipv4Address destination, u16 port, Interface const* interface)
{
    UdpSocket* wildcard = nullptr;
    for (UdpSocket& socket : g_sockets) {
        if (socket.local_address().port != port || !socket.accepts(destination, interface))
            continue;
        if (!socket.local_address().address.is_any())
            return &socket;
        if (!wildcard)
            wildcard = &socket;
    }
    return wildcard;
}

bool count_problem(wire::UdpProblem problem)
{
    switch (problem) {
    case wire::UdpProblem::None:
        return false;
    case wire::UdpProblem::TooShort:
    case wire::UdpProblem::BadLength:
        counters().udp_bad_length.add();
        break;
    case wire::UdpProblem::BadChecksum:
        counters().udp_bad_checksum.add();
        break;
    }
    return true;
}

}

void udp_receive(Ipv4Packet const& packet, OwnPtr<dev::Packet> frame)
{
    Counters& c = counters();
    c.udp_rx.add();
    wire::UdpHeader header;
    if (count_problem(wire::read_udp(packet.payload, packet.header.source, packet.header.destination, header)))
        return;
    {
        sched::SpinlockGuard guard(g_table_lock);
        UdpSocket* socket = lookup_locked(packet.header.destination, header.destination_port, &packet.interface);
        if (socket && socket->queued() >= socket->queue_limit()) {
            socket->count_drop();   // full: drop before spending anything on it
            c.udp_queue_full.add();
            return;
        }
        if (socket) {
            auto datagram = kstd::make<Datagram>();
            if (datagram.is_error()) {
                c.udp_queue_full.add();
                return;
            }
            datagram.value()->offset = packet.payload_offset + wire::UDP_HEADER;
            datagram.value()->length = header.length - wire::UDP_HEADER;
            datagram.value()->from = { packet.header.source, header.source_port };
            datagram.value()->frame = kstd::move(frame);
            (socket->enqueue(datagram.release_value()) ? c.udp_delivered : c.udp_queue_full).add();
            return;
        }
    }
    c.udp_no_port.add();
    icmp_send_port_unreachable(packet);
}

// --- UdpSocket ----------------------------------------------------------------------------------

ErrorOr<OwnPtr<UdpSocket>> UdpSocket::create()
{
    auto* socket = new (kstd::nothrow) UdpSocket;
    if (!socket)
        return Error::from_errno(ENOMEM);
    return OwnPtr<UdpSocket>(socket);
}

UdpSocket::~UdpSocket()
{
    {
        sched::SpinlockGuard guard(g_table_lock);
        if (m_table_link.is_linked())
            g_sockets.remove(*this);
    }
    while (OwnPtr<Datagram> datagram = dequeue()) {
    }
}

ErrorOr<void> UdpSocket::bind(SocketAddress local)
{
    if (m_bound)
        return Error::from_errno(EINVAL);
    if (!local.address.is_any() && !is_our_address(local.address))
        return Error::from_errno(EADDRNOTAVAIL);
    sched::SpinlockGuard guard(g_table_lock);
    if (local.port == 0) {
        local.port = ephemeral_port_locked();
        if (local.port == 0)
            return Error::from_errno(EADDRINUSE);
    } else if (port_taken_locked(local.port, local.address)) {
        return Error::from_errno(EADDRINUSE);
    }
    m_local = local;
    m_bound = true;
    g_sockets.push_back(*this);
    return {};
}

ErrorOr<void> UdpSocket::bind_to_interface(StringView name)
{
    Interface* interface = interface_by_name(name);
    if (!interface)
        return Error::from_errno(ENOENT);
    m_interface = interface;
    return {};
}

bool UdpSocket::accepts(Ipv4Address destination, Interface const* interface) const
{
    if (m_interface && m_interface != interface)
        return false;
    return m_local.address.is_any() || m_local.address == destination;
}

ErrorOr<usize> UdpSocket::send_to(ReadonlyBytes data, SocketAddress destination)
{
    if (destination.port == 0)
        return Error::from_errno(EINVAL);
    if (data.size() > MAX_UDP_PAYLOAD)
        return Error::from_errno(EMSGSIZE);
    if (!m_bound)
        TRY(bind({ ANY_ADDRESS, 0 }));
    Route route = TRY(route_to(destination.address, m_interface));
    if (route.interface->is_broadcast_for(destination.address) && !m_broadcast)
        return Error::from_errno(EACCES);
    dev::NetDevice& device = *route.interface->device;
    if (!device.is_up() || !device.has_carrier())
        return Error::from_errno(ENETDOWN);
    if (!m_local.address.is_any())
        route.source = m_local.address;
    auto frame = TRY(allocate_frame(wire::UDP_HEADER + data.size()));
    Bytes datagram = frame->data().subspan(wire::TRANSPORT_OFFSET);
    memcpy(datagram.data() + wire::UDP_HEADER, data.data(), data.size());
    wire::write_udp(datagram, m_local.port, destination.port, route.source, destination.address);
    auto sent = ipv4_send(route, destination.address, wire::PROTOCOL_UDP, m_ttl, kstd::move(frame));
    if (sent.is_error()) {
        counters().udp_tx_errors.add();
        return Error::from_errno(sent.error().code() == EBUSY ? ENOBUFS : sent.error().code());
    }
    counters().udp_tx.add();
    return data.size();
}

void UdpSocket::count_drop()
{
    sched::SpinlockGuard guard(m_queue_lock);
    ++m_dropped;
}

bool UdpSocket::enqueue(OwnPtr<Datagram> datagram)
{
    {
        sched::SpinlockGuard guard(m_queue_lock);
        if (m_queue.size() >= m_queue_limit) {
            ++m_dropped;
            return false;   // `datagram` is freed on return
        }
        m_queue.push_back(*datagram.leak_ptr());
    }
    m_wait.wake_all();
    g_poll_wait.wake_all();
    return true;
}

OwnPtr<Datagram> UdpSocket::dequeue()
{
    sched::SpinlockGuard guard(m_queue_lock);
    return OwnPtr<Datagram>(m_queue.pop_front());
}

usize UdpSocket::queued() const
{
    sched::SpinlockGuard guard(m_queue_lock);
    return m_queue.size();
}

ErrorOr<usize> UdpSocket::receive_from(Bytes buffer, SocketAddress* from, u64 timeout_ns)
{
    if (!m_bound)
        return Error::from_errno(EINVAL);
    if (timeout_ns != 0) {
        TRY(m_wait.wait_event_until([this] { return !m_queue.is_empty() || m_shutdown; },
                                    sched::deadline_after(timeout_ns)));
    }
    OwnPtr<Datagram> datagram = dequeue();
    if (!datagram)
        return Error::from_errno(m_shutdown ? ESHUTDOWN : EAGAIN);
    usize copied = kstd::min(buffer.size(), datagram->length);
    memcpy(buffer.data(), datagram->frame->data().data() + datagram->offset, copied);
    if (from)
        *from = datagram->from;
    return copied;
}

PollEvents UdpSocket::poll_events() const
{
    PollEvents events = PollEvents::Writable;   // UDP never waits to send
    if (!m_queue.is_empty())
        events |= PollEvents::Readable;
    return events;
}

ErrorOr<PollEvents> UdpSocket::wait(PollEvents interest, u64 timeout_ns)
{
    TRY(m_wait.wait_event_until([this, interest] { return has_any(poll_events(), interest) || m_shutdown; },
                                sched::deadline_after(timeout_ns)));
    if (m_shutdown)
        return Error::from_errno(ESHUTDOWN);
    return poll_events() & interest;
}

void UdpSocket::shutdown()
{
    m_shutdown = true;
    m_wait.wake_all();
    g_poll_wait.wake_all();
}

usize poll(Span<PollEntry> entries, u64 timeout_ns)
{
    auto ready_count = [entries] {
        usize ready = 0;
        for (PollEntry& entry : entries) {
            entry.ready = entry.socket->poll_events() & entry.interest;
            ready += entry.ready != PollEvents::None;
        }
        return ready;
    };
    (void)g_poll_wait.wait_event_until([&] { return ready_count() != 0; }, sched::deadline_after(timeout_ns));
    return ready_count();
}

}
