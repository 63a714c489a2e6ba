#pragma once
// The network stack (kernel/net; docs/network.md): Ethernet, ARP, IPv4, ICMP echo and UDP with
// sockets (include/kernel/net/socket.h), above the network device class
// (include/kernel/dev/netdev.h). This header is the stack as a whole: start-up, interface
// configuration (static or DHCP), and the counters.
//
// Boot words (net::init):
//   net.ip=dhcp|A.B.C.D/N     eth0's address: from a DHCP server (the default) or static
//   net.gw=A.B.C.D            with a static address: the default gateway
//   net.arp_timeout=SECONDS   how long a learnt ARP entry lives (default 60)
//   net.echo=PORT             start the UDP echo service (include/kernel/net/echo.h)
//   net=off                   leave every Ethernet interface down
#include <kernel/dev/netdev.h>
#include <kernel/net/address.h>
#include <kstd/error.h>
#include <kstd/string.h>

namespace net {

// Registers ARP and IPv4 with the net class, starts the stack's timer thread, gives lo
// 127.0.0.1/8 and brings up and configures each Ethernet interface as the boot words say (DHCP
// runs in the background). Context: thread (boot, after the buses probed their drivers).
void init();
bool is_initialized();

enum class ConfigMethod : u8 { None, Static, Dhcp };
char const* method_name(ConfigMethod method);   // "none", "static", "dhcp"

// A snapshot of one interface, for ifconfig and tests.
struct InterfaceInfo {
    char name[16];
    u32 ifindex;
    MacAddress mac;
    bool up;
    bool carrier;
    bool configured;            // has an address
    ConfigMethod method;
    Ipv4Address address;
    Ipv4Address netmask;
    Ipv4Address gateway;        // 0.0.0.0: none
    Ipv4Address dns;            // from DHCP
    Ipv4Address dhcp_server;
    u64 lease_seconds;          // DHCP: the lease's length, 0 otherwise
    u64 lease_remaining_ns;     // DHCP: until it expires
    dev::NetDevStats device_stats;
};
// Errors: ENOENT (no interface by that name). Context: thread.
[[nodiscard]] ErrorOr<InterfaceInfo> interface_info(StringView name);
// Calls fn for each interface the stack knows, lo first. Context: thread.
void for_each_interface(void (*fn)(InterfaceInfo const& info, void* ctx), void* ctx);

// Brings the interface up (if needed) with a fixed address; `gateway` 0.0.0.0 for none. Stops
// a DHCP client running on it. Errors: ENOENT, EINVAL (prefix above 32, address 0), the
// device's open errors. Context: thread.
[[nodiscard]] ErrorOr<void> configure_static(StringView name, Ipv4Address address, unsigned prefix,
                                             Ipv4Address gateway);
// Brings the interface up and starts a DHCP client on it in the background; the address comes
// when the lease does (wait_configured). Errors: ENOENT, EINVAL (lo), ENOMEM. Context: thread.
[[nodiscard]] ErrorOr<void> start_dhcp(StringView name);
// Forgets the address (and stops DHCP); the interface stays up. Context: thread.
[[nodiscard]] ErrorOr<void> deconfigure(StringView name);
// Sleeps until the interface has an address. Errors: ENOENT, ETIMEDOUT. Context: thread.
[[nodiscard]] ErrorOr<void> wait_configured(StringView name, u64 timeout_ns);

// Frames that wait for one neighbour's address while ARP asks for it; more are dropped, oldest
// first, and counted (arp_queue_overflow). Linux keeps about as many by default.
inline constexpr usize ARP_QUEUE_LIMIT = 32;

// The ARP cache (`arp`): one entry per neighbour, resolved or being resolved.
struct ArpEntryInfo {
    char interface[16];
    Ipv4Address ip;
    MacAddress mac;
    bool resolved;
    u64 expires_in_ns;          // resolved: how long it is still trusted
    usize waiting;              // resolving: frames waiting for the answer
    unsigned requests;          // resolving: requests sent so far
};
// Calls fn for each entry (a snapshot; fn runs without the cache's lock). Context: thread.
void for_each_arp_entry(void (*fn)(ArpEntryInfo const& info, void* ctx), void* ctx);
// Empties the cache (frames waiting are dropped). Context: thread.
void flush_arp_cache();

// Per-protocol counters (`netstat`): what arrived, what was sent, and what was dropped, by reason.
struct ProtocolStats {
    // Ethernet: frames the stack received (by EtherType handler), not from a known interface.
    u64 eth_rx, eth_no_interface;
    // ARP
    u64 arp_rx_requests, arp_rx_replies, arp_tx_requests, arp_tx_replies, arp_malformed, arp_not_for_us,
        arp_queued, arp_queue_overflow, arp_resolve_failed;
    // IPv4
    u64 ip_rx, ip_delivered, ip_bad_version, ip_bad_header_length, ip_bad_length, ip_bad_checksum,
        ip_fragments_dropped, ip_not_for_us, ip_unknown_protocol, ip_tx, ip_no_route, ip_tx_errors;
    // ICMP
    u64 icmp_rx, icmp_rx_echo_requests, icmp_tx_echo_replies, icmp_rx_echo_replies, icmp_tx_echo_requests,
        icmp_rx_unreachable, icmp_tx_unreachable, icmp_bad_checksum, icmp_malformed, icmp_rate_limited;
    // UDP
    u64 udp_rx, udp_delivered, udp_no_port, udp_bad_checksum, udp_bad_length, udp_queue_full, udp_tx,
        udp_tx_errors;
};
ProtocolStats stats();

}
