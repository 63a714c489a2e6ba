// ARP (RFC 826): which Ethernet address belongs to a neighbour's IPv4 address.
//
// The cache holds a fixed number of entries. A resolved entry lives for net.arp_timeout seconds
// after it was last confirmed by a packet from that neighbour; after that, the next frame for it
// asks again. An unresolved entry holds up to ARP_QUEUE_LIMIT (net.h) frames while a request is
// repeated every second, ARP_RETRIES times; then it gives up, drops them (counted) and tells
// ping that the host is unreachable. The "merge" rule of RFC 826: a packet from a neighbour we
// already know (or one asking for us) updates its entry, so each side learns the other's address
// from one exchange.
#include "stack.h"
#include "timer.h"
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace net {

namespace {

constexpr usize ARP_ENTRIES = 64;
constexpr unsigned ARP_RETRIES = 3;
constexpr u64 ARP_RETRY_NS = time::NS_PER_S;

enum class State : u8 { Free, Incomplete, Reachable };

struct Entry {
    State state { State::Free };
    Interface* interface { nullptr };
    Ipv4Address ip;
    MacAddress mac;
    u64 expires_ns { 0 };      // Reachable: until then the address is trusted
    unsigned requests { 0 };   // Incomplete: requests sent so far
    u64 next_request_ns { 0 };
    IntrusiveList<dev::Packet, &dev::Packet::queue_link> waiting;   // frames to send once resolved
};

using PacketList = IntrusiveList<dev::Packet, &dev::Packet::queue_link>;

sched::Spinlock g_lock { "arp" };
Entry g_entries[ARP_ENTRIES];   // Guarded by g_lock
u64 g_lifetime_ns = 60 * time::NS_PER_S;
void retry_requests(void*);
Timer g_retry_timer { retry_requests, nullptr };

void drop_all(PacketList& list)
{
    while (dev::Packet* packet = list.pop_front())
        delete packet;
}

Entry* find_locked(Interface& interface, Ipv4Address ip)
{
    for (Entry& entry : g_entries) {
        if (entry.state != State::Free && entry.interface == &interface && entry.ip == ip)
            return &entry;
    }
    return nullptr;
}

// A free entry, or the resolved one that expires first (its frames: none). nullptr when every
// entry is resolving.
Entry* allocate_locked()
{
    Entry* victim = nullptr;
    for (Entry& entry : g_entries) {
        if (entry.state == State::Free)
            return &entry;
        if (entry.state == State::Reachable && (!victim || entry.expires_ns < victim->expires_ns))
            victim = &entry;
    }
    return victim;
}

void free_locked(Entry& entry, PacketList& dropped)
{
    while (dev::Packet* packet = entry.waiting.pop_front())
        dropped.push_back(*packet);
    entry.state = State::Free;
    entry.interface = nullptr;
}

ErrorOr<void> send_arp(Interface& interface, u16 operation, MacAddress destination, MacAddress target_mac,
                       Ipv4Address target_ip)
{
    auto frame = TRY(allocate_frame(0));   // room for the headers: an ARP packet is 28 bytes
    TRY(frame->set_size(wire::ETHERNET_HEADER + wire::ARP_PACKET));
    Ipv4Address our_ip = interface.addressing().address;   // 0.0.0.0 before we have one (a probe)
    wire::write_arp(frame->data().subspan(wire::ETHERNET_HEADER),
                    { operation, interface.mac(), our_ip, target_mac, target_ip });
    (operation == wire::ARP_REQUEST ? counters().arp_tx_requests : counters().arp_tx_replies).add();
    return ethernet_send(interface, destination, wire::ETHERTYPE_ARP, kstd::move(frame));
}

void send_request(Interface& interface, Ipv4Address ip)
{
    (void)send_arp(interface, wire::ARP_REQUEST, BROADCAST_MAC, MacAddress {}, ip);
}

// Sends each frame to `mac` (outside the lock: transmitting may take driver locks).
void send_waiting(Interface& interface, MacAddress mac, PacketList& frames)
{
    while (dev::Packet* packet = frames.pop_front())
        (void)ethernet_send(interface, mac, wire::ETHERTYPE_IPV4, OwnPtr<dev::Packet>(packet));
}

// Earliest retry among the resolving entries, or 0 when none is resolving.
u64 next_retry_locked()
{
    u64 next = 0;
    for (Entry const& entry : g_entries) {
        if (entry.state == State::Incomplete && (next == 0 || entry.next_request_ns < next))
            next = entry.next_request_ns;
    }
    return next;
}

// Timer: repeat the requests that are due; give up on the entries that had all their tries.
void retry_requests(void*)
{
    u64 now = time::now_ns();
    for (;;) {
        Interface* interface = nullptr;
        Ipv4Address ip;
        bool failed = false;
        PacketList dropped;
        {
            sched::SpinlockGuard guard(g_lock);
            for (Entry& entry : g_entries) {
                if (entry.state != State::Incomplete || entry.next_request_ns > now)
                    continue;
                interface = entry.interface;
                ip = entry.ip;
                if (entry.requests >= ARP_RETRIES) {
                    failed = true;
                    free_locked(entry, dropped);
                } else {
                    ++entry.requests;
                    entry.next_request_ns = now + ARP_RETRY_NS;
                }
                break;
            }
            if (!interface) {
                if (u64 next = next_retry_locked())
                    g_retry_timer.arm(next);
                return;
            }
        }
        if (failed) {
            counters().arp_resolve_failed.add();
            drop_all(dropped);
            icmp_host_unreachable(ip);
        } else {
            send_request(*interface, ip);
        }
    }
}

// The merge rule: learn or refresh the sender's address. `create`: also when it is new (it
// asked for us). Returns the frames that were waiting for it.
void learn_locked(Interface& interface, Ipv4Address ip, MacAddress mac, bool create, PacketList& ready)
{
    Entry* entry = find_locked(interface, ip);
    if (!entry) {
        if (!create || !(entry = allocate_locked()))
            return;
        PacketList none;
        free_locked(*entry, none);
        entry->interface = &interface;
        entry->ip = ip;
    }
    entry->state = State::Reachable;
    entry->mac = mac;
    entry->expires_ns = time::now_ns() + g_lifetime_ns;
    while (dev::Packet* packet = entry->waiting.pop_front())
        ready.push_back(*packet);
}

}

void arp_init(u64 entry_lifetime_ns) { g_lifetime_ns = entry_lifetime_ns ? entry_lifetime_ns : g_lifetime_ns; }

void arp_receive(Interface& interface, OwnPtr<dev::Packet> frame)
{
    if (interface.is_loopback)
        return;
    wire::ArpPacket arp;
    if (wire::read_arp(frame->data().subspan(wire::ETHERNET_HEADER), arp) != wire::ArpProblem::None) {
        counters().arp_malformed.add();
        return;
    }
    (arp.operation == wire::ARP_REQUEST ? counters().arp_rx_requests : counters().arp_rx_replies).add();
    auto ours = interface.addressing();
    bool for_us = ours.configured && arp.target_ip == ours.address;
    PacketList ready;
    if (!arp.sender_ip.is_any() && !(arp.sender_mac == BROADCAST_MAC)) {
        sched::SpinlockGuard guard(g_lock);
        learn_locked(interface, arp.sender_ip, arp.sender_mac, for_us, ready);
    }
    send_waiting(interface, arp.sender_mac, ready);
    if (!for_us) {
        counters().arp_not_for_us.add();
        return;
    }
    if (arp.operation == wire::ARP_REQUEST)
        (void)send_arp(interface, wire::ARP_REPLY, arp.sender_mac, arp.sender_mac, arp.sender_ip);
}

ErrorOr<void> arp_output(Interface& interface, Ipv4Address next_hop, OwnPtr<dev::Packet> frame)
{
    if (interface.is_loopback)
        return ethernet_send(interface, MacAddress {}, wire::ETHERTYPE_IPV4, kstd::move(frame));
    if (interface.is_broadcast_for(next_hop))
        return ethernet_send(interface, BROADCAST_MAC, wire::ETHERTYPE_IPV4, kstd::move(frame));
    MacAddress mac;
    bool resolved = false;
    bool ask = false;
    PacketList dropped;
    {
        sched::SpinlockGuard guard(g_lock);
        u64 now = time::now_ns();
        Entry* entry = find_locked(interface, next_hop);
        if (entry && entry->state == State::Reachable && entry->expires_ns > now) {
            mac = entry->mac;
            resolved = true;
        } else {
            if (!entry) {
                if (!(entry = allocate_locked())) {
                    counters().arp_queue_overflow.add();
                    return Error::from_errno(ENOBUFS);   // every entry is resolving: none to reuse
                }
                free_locked(*entry, dropped);
                entry->interface = &interface;
                entry->ip = next_hop;
            }
            if (entry->state != State::Incomplete) {   // new, or its address has expired
                entry->state = State::Incomplete;
                entry->requests = 1;
                entry->next_request_ns = now + ARP_RETRY_NS;
                ask = true;
            }
            if (entry->waiting.size() >= ARP_QUEUE_LIMIT) {
                dropped.push_back(*entry->waiting.pop_front());   // the oldest gives way
                counters().arp_queue_overflow.add();
            }
            entry->waiting.push_back(*frame.leak_ptr());
            counters().arp_queued.add();
            if (ask)
                g_retry_timer.arm(next_retry_locked());
        }
    }
    drop_all(dropped);
    if (resolved)
        return ethernet_send(interface, mac, wire::ETHERTYPE_IPV4, kstd::move(frame));
    if (ask)
        send_request(interface, next_hop);
    return {};
}

void arp_flush(Interface* interface)
{
    PacketList dropped;
    {
        sched::SpinlockGuard guard(g_lock);
        for (Entry& entry : g_entries) {
            if (entry.state != State::Free && (!interface || entry.interface == interface))
                free_locked(entry, dropped);
        }
    }
    drop_all(dropped);
}

void flush_arp_cache() { arp_flush(nullptr); }

void for_each_arp_entry(void (*fn)(ArpEntryInfo const& info, void* ctx), void* ctx)
{
    ArpEntryInfo infos[ARP_ENTRIES];
    usize count = 0;
    u64 now = time::now_ns();
    {
        sched::SpinlockGuard guard(g_lock);
        for (Entry const& entry : g_entries) {
            if (entry.state == State::Free)
                continue;
            ArpEntryInfo& info = infos[count++];
            kstd::copy_string(info.interface, sizeof(info.interface), entry.interface->name());
            info.ip = entry.ip;
            info.mac = entry.mac;
            info.resolved = entry.state == State::Reachable;
            info.expires_in_ns = entry.expires_ns > now ? entry.expires_ns - now : 0;
            info.waiting = entry.waiting.size();
            info.requests = entry.requests;
        }
    }
    for (usize i = 0; i < count; ++i)
        fn(infos[i], ctx);
}

}
