#pragma once
// The stack's internals, shared by kernel/net/*.cpp (not a public interface; that is
// include/kernel/net/). The layers, bottom up:
//   interface.cpp  interfaces, their addresses, routing, net::init
//   ethernet.cpp   frames in (the net class's EtherType handlers) and out
//   arp.cpp        the neighbour cache (arp_cache.cpp), resolution, requests queued meanwhile
//   ipv4.cpp       checks, local delivery, output
//   icmp.cpp       echo replies, ping, port unreachable
//   udp.cpp        sockets (include/kernel/net/socket.h)
//   dhcp.cpp       the DHCP client (dhcp_message.cpp builds and parses its messages)
//   timer.cpp      the stack's timers (ARP retries)
//   monitor_net.cpp, echo_service.cpp  the monitor commands and the UDP echo service
// Receive paths run in the driver's bottom half (tasklet or NAPI thread): they must not sleep.
#include "wire.h"
#include <kernel/dev/object.h>
#include <kernel/dev/netdev.h>
#include <kernel/net/net.h>
#include <kernel/sched/sync.h>

namespace net {

inline constexpr usize MAX_INTERFACES = 6;

struct DhcpClient;

struct Interface {
    dev::Ref<dev::NetDevice> device;
    bool is_loopback { false };

    mutable sched::Spinlock lock { "net-interface" };
    // Guarded by lock:
    bool configured { false };
    ConfigMethod method { ConfigMethod::None };
    Ipv4Address address, netmask, gateway, dns;
    Ipv4Address dhcp_server;
    u64 lease_seconds { 0 };
    u64 lease_expires_ns { 0 };

    sched::WaitQueue configured_wait;   // woken when `configured` becomes true
    DhcpClient* dhcp { nullptr };       // Guarded by the interfaces mutex

    char const* name() const { return device->name(); }
    MacAddress mac() const { return device->mac(); }
    // The address fields, read together. Context: any.
    struct Addressing {
        bool configured;
        Ipv4Address address, netmask, gateway;
    };
    Addressing addressing() const;
    bool is_local_address(Ipv4Address a) const;       // ours (configured)
    bool is_broadcast_for(Ipv4Address a) const;       // 255.255.255.255 or our subnet's
};

// --- interface.cpp ------------------------------------------------------------------------------
Interface* interface_of(dev::NetDevice const& device);   // nullptr for a device the stack ignores
Interface* interface_by_name(StringView name);
Interface* loopback_interface();
// One of ours: 127.0.0.0/8, or the address of a configured interface. Context: any.
bool is_our_address(Ipv4Address address);
// Sets (or clears, with configured false) the addresses and wakes wait_configured. Context: any.
void set_addressing(Interface& interface, bool configured, ConfigMethod method, Ipv4Address address,
                    Ipv4Address netmask, Ipv4Address gateway);

struct Route {
    Interface* interface;
    Ipv4Address next_hop;   // the neighbour to send to: the destination or the gateway
    Ipv4Address source;     // the interface's address (0.0.0.0 while unconfigured)
};
// Errors: ENETUNREACH. `via` forces an interface (sockets bound to one; DHCP). Context: any.
[[nodiscard]] ErrorOr<Route> route_to(Ipv4Address destination, Interface* via = nullptr);

// --- counters (interface.cpp) ---------------------------------------------------------------------
struct Counters {
    dev::Counter eth_rx, eth_no_interface;
    dev::Counter arp_rx_requests, arp_rx_replies, arp_tx_requests, arp_tx_replies, arp_malformed,
        arp_not_for_us, arp_queued, arp_queue_overflow, arp_resolve_failed;
    dev::Counter ip_rx, ip_delivered, ip_bad_version, ip_bad_header_length, ip_bad_length, ip_bad_checksum,
        ip_fragments_dropped, ip_not_for_us, ip_unknown_protocol, ip_tx, ip_no_route, ip_tx_errors;
    dev::Counter icmp_rx, icmp_rx_echo_requests, icmp_tx_echo_replies, icmp_rx_echo_replies,
        icmp_tx_echo_requests, icmp_rx_unreachable, icmp_tx_unreachable, icmp_bad_checksum, icmp_malformed,
        icmp_rate_limited;
    dev::Counter udp_rx, udp_delivered, udp_no_port, udp_bad_checksum, udp_bad_length, udp_queue_full, udp_tx,
        udp_tx_errors;
};
Counters& counters();

// --- ethernet.cpp -------------------------------------------------------------------------------
// A frame with room for `transport_size` bytes after the Ethernet and IPv4 headers, sized to
// hold exactly that (headers written later), placed so that a NIC can map it as one DMA segment.
// Errors: ENOMEM.
[[nodiscard]] ErrorOr<OwnPtr<dev::Packet>> allocate_frame(usize transport_size);
// Writes the Ethernet header and transmits (padding to the 60-byte minimum). Errors: the net
// class's. Context: thread or bottom half.
[[nodiscard]] ErrorOr<void> ethernet_send(Interface& interface, MacAddress destination, u16 ethertype,
                                          OwnPtr<dev::Packet> frame);
// Registers ARP and IPv4 with the net class. Context: thread (init).
[[nodiscard]] ErrorOr<void> ethernet_init();

// --- arp.cpp ------------------------------------------------------------------------------------
void arp_receive(Interface& interface, OwnPtr<dev::Packet> frame);
// Sends `frame` (an IPv4 datagram in an Ethernet frame) to the neighbour `next_hop`: at once
// when its MAC is known, else after resolving it (the frame waits, up to a few per neighbour).
[[nodiscard]] ErrorOr<void> arp_output(Interface& interface, Ipv4Address next_hop, OwnPtr<dev::Packet> frame);
void arp_init(u64 entry_lifetime_ns);
// Forgets the entries of an interface (its address changed). Context: thread.
void arp_flush(Interface* interface);

// --- ipv4.cpp -----------------------------------------------------------------------------------
void ipv4_receive(Interface& interface, OwnPtr<dev::Packet> frame);
// Fills in the IPv4 header of `frame` (whose transport part is in place) and sends it along
// `route`. Errors: as ethernet_send, ENETDOWN. Context: thread or bottom half.
[[nodiscard]] ErrorOr<void> ipv4_send(Route const& route, Ipv4Address destination, u8 protocol, u8 ttl,
                                      OwnPtr<dev::Packet> frame);

// A received datagram, as the transport layers see it.
struct Ipv4Packet {
    Interface& interface;
    wire::Ipv4Header const& header;
    ReadonlyBytes payload;        // the transport header and data (inside `frame`)
    usize payload_offset;         // where payload starts in the frame
};

// --- icmp.cpp -----------------------------------------------------------------------------------
void icmp_receive(Ipv4Packet const& packet, OwnPtr<dev::Packet> frame);
// Tells the sender of `packet` that nobody listens on its port (rate limited).
void icmp_send_port_unreachable(Ipv4Packet const& packet);
// ARP gave up on `address`: pings waiting for it fail with EHOSTUNREACH.
void icmp_host_unreachable(Ipv4Address address);

// --- udp.cpp ------------------------------------------------------------------------------------
void udp_receive(Ipv4Packet const& packet, OwnPtr<dev::Packet> frame);

// --- random numbers for IDs, ports and DHCP transaction IDs (not cryptographic) ----------------
u32 random_u32();

}
