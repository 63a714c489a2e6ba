// Interfaces, their addresses and routing, the counters, and the stack's start-up
// (include/kernel/net/net.h).
//
// Routing is what a host needs and no more: a destination on the subnet of a configured
// interface is sent there directly, 127.0.0.0/8 and our own addresses go to lo, and anything
// else goes to the first interface with a default gateway, through that gateway.
#include "dhcp.h"
#include "stack.h"
#include "timer.h"
#include <kernel/net/echo.h>
#include <kernel/irq_flags.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/sched/entity.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace net {

namespace {

sched::Mutex g_interfaces_lock { "net-interfaces" };   // configuration changes
Interface g_interfaces[MAX_INTERFACES];                   // slots 0..g_count-1 are in use
usize g_count = 0;                                        // written once by init
bool g_initialized = false;
Counters g_counters;
u32 g_random_state = 0x2545F491;

bool on_subnet(Interface::Addressing const& a, Ipv4Address destination)
{
    return a.configured && (destination.value & a.netmask.value) == (a.address.value & a.netmask.value);
}

void collect(dev::NetDevice& device, void*)
{
    if (g_count == MAX_INTERFACES || device.is_gone())
        return;
    Interface& interface = g_interfaces[g_count++];
    interface.device = dev::Ref<dev::NetDevice>(device);
    interface.is_loopback = StringView(device.driver()) == StringView("loopback");
}

// `net.ip` for eth0, `net.ethN` for the others (dhcp, or A.B.C.D/N); `net=off` for none.
void configure_at_boot(Interface& interface)
{
    if (interface.is_loopback) {
        (void)configure_static(interface.name(), Ipv4Address(127, 0, 0, 1), 8, ANY_ADDRESS);
        return;
    }
    if (auto net = kernel_cmdline().get("net"); net.has_value() && *net == StringView("off"))
        return;
    char key[24];
    kstd::snprintf(key, sizeof(key), "net.%s", interface.name());
    auto word = kernel_cmdline().get(key);
    if (!word.has_value() && StringView(interface.name()) == StringView("eth0"))
        word = kernel_cmdline().get("net.ip");
    if (!word.has_value())
        word = StringView(StringView(interface.name()) == StringView("eth0") ? "dhcp" : "");
    if (word->is_empty())
        return;
    ErrorOr<void> done = {};
    if (*word == StringView("dhcp")) {
        done = start_dhcp(interface.name());
    } else if (auto parsed = parse_ipv4_prefix(*word); !parsed.is_error()) {
        Ipv4Address gateway = ANY_ADDRESS;
        if (auto gw = kernel_cmdline().get("net.gw"); gw.has_value()) {
            if (auto parsed_gateway = parse_ipv4(*gw); !parsed_gateway.is_error())
                gateway = parsed_gateway.value();
        }
        done = configure_static(interface.name(), parsed.value().address, parsed.value().prefix, gateway);
    } else {
        log_warn("net: %s=%.*s is neither dhcp nor an address A.B.C.D/N\n", key, int(word->length()),
                 word->characters());
        return;
    }
    if (done.is_error())
        log_warn("net: %s: not configured: %s\n", interface.name(), done.error().name());
}

ErrorOr<void> bring_up(Interface& interface)
{
    TRY(netdev::up(*interface.device));
    return {};
}

}

// --- Interface ---------------------------------------------------------------------------------

Interface::Addressing Interface::addressing() const
{
    sched::SpinlockGuard guard(lock);
    return { configured, address, netmask, gateway };
}

bool Interface::is_local_address(Ipv4Address a) const
{
    sched::SpinlockGuard guard(lock);
    return configured && a == address;
}

bool Interface::is_broadcast_for(Ipv4Address a) const
{
    if (a.is_limited_broadcast())
        return true;
    sched::SpinlockGuard guard(lock);
    return configured && netmask.value != 0xFFFFFFFF && a.value == (address.value | ~netmask.value);
}

Interface* interface_of(dev::NetDevice const& device)
{
    for (usize i = 0; i < g_count; ++i) {
        if (g_interfaces[i].device.ptr() == &device)
            return &g_interfaces[i];
    }
    return nullptr;
}

Interface* interface_by_name(StringView name)
{
    for (usize i = 0; i < g_count; ++i) {
        if (StringView(g_interfaces[i].name()) == name)
            return &g_interfaces[i];
    }
    return nullptr;
}

Interface* loopback_interface()
{
    for (usize i = 0; i < g_count; ++i) {
        if (g_interfaces[i].is_loopback)
            return &g_interfaces[i];
    }
    return nullptr;
}

bool is_our_address(Ipv4Address address)
{
    if (address.is_loopback())
        return true;
    for (usize i = 0; i < g_count; ++i) {
        if (g_interfaces[i].is_local_address(address))
            return true;
    }
    return false;
}

void set_addressing(Interface& interface, bool configured, ConfigMethod method, Ipv4Address address,
                    Ipv4Address netmask, Ipv4Address gateway)
{
    {
        sched::SpinlockGuard guard(interface.lock);
        interface.configured = configured;
        interface.method = method;
        interface.address = configured ? address : ANY_ADDRESS;
        interface.netmask = configured ? netmask : ANY_ADDRESS;
        interface.gateway = configured ? gateway : ANY_ADDRESS;
    }
    if (configured)
        interface.configured_wait.wake_all();
}

ErrorOr<Route> route_to(Ipv4Address destination, Interface* via)
{
    if (via) {
        auto a = via->addressing();
        bool direct = destination.is_limited_broadcast() || via->is_loopback || on_subnet(a, destination)
                      || a.gateway.is_any();
        return Route { via, direct ? destination : a.gateway, a.address };
    }
    if (destination.is_loopback()) {
        if (Interface* lo = loopback_interface())
            return Route { lo, destination, Ipv4Address(127, 0, 0, 1) };
    }
    for (usize i = 0; i < g_count; ++i) {
        Interface& interface = g_interfaces[i];
        if (!interface.is_loopback && interface.is_local_address(destination)) {
            if (Interface* lo = loopback_interface())
                return Route { lo, destination, destination };   // to ourselves: through lo
        }
    }
    for (usize i = 0; i < g_count; ++i) {
        auto a = g_interfaces[i].addressing();
        if (!g_interfaces[i].is_loopback && on_subnet(a, destination))
            return Route { &g_interfaces[i], destination, a.address };
    }
    for (usize i = 0; i < g_count; ++i) {
        auto a = g_interfaces[i].addressing();
        if (!g_interfaces[i].is_loopback && a.configured && !a.gateway.is_any())
            return Route { &g_interfaces[i], a.gateway, a.address };
    }
    counters().ip_no_route.add();
    return Error::from_errno(ENETUNREACH);
}

Counters& counters() { return g_counters; }

u32 random_u32()
{
    InterruptsDisabled guard;
    u32 x = g_random_state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    g_random_state = x;
    return x;
}

// --- the public interface (include/kernel/net/net.h) ------------------------------------------------

char const* method_name(ConfigMethod method)
{
    switch (method) {
    case ConfigMethod::Static:
        return "static";
    case ConfigMethod::Dhcp:
        return "dhcp";
    case ConfigMethod::None:
        break;
    }
    return "none";
}

bool is_initialized() { return g_initialized; }

void init()
{
    if (g_initialized)
        return;
    g_random_state ^= u32(time::now_ns()) | 1;
    netdev::for_each(collect, nullptr);
    arp_init(kernel_cmdline().get_u64("net.arp_timeout", 60) * time::NS_PER_S);
    timer_init();
    if (auto registered = ethernet_init(); registered.is_error()) {
        log_error("net: cannot register ARP and IPv4 with the net class: %s\n", registered.error().name());
        return;
    }
    g_initialized = true;
    for (usize i = 0; i < g_count; ++i)
        configure_at_boot(g_interfaces[i]);
    if (u64 port = kernel_cmdline().get_u64("net.echo", 0); port != 0 && port <= 0xFFFF) {
        if (auto started = start_udp_echo(u16(port)); started.is_error())
            log_warn("net: net.echo=%lu: %s\n", port, started.error().name());
    }
}

ErrorOr<InterfaceInfo> interface_info(StringView name)
{
    Interface* interface = interface_by_name(name);
    if (!interface)
        return Error::from_errno(ENOENT);
    InterfaceInfo info {};
    kstd::copy_string(info.name, sizeof(info.name), interface->name());
    dev::NetDevice& device = *interface->device;
    info.ifindex = device.ifindex();
    info.mac = device.mac();
    info.up = device.is_up();
    info.carrier = device.has_carrier();
    info.device_stats = device.stats();
    sched::SpinlockGuard guard(interface->lock);
    info.configured = interface->configured;
    info.method = interface->method;
    info.address = interface->address;
    info.netmask = interface->netmask;
    info.gateway = interface->gateway;
    info.dns = interface->dns;
    info.dhcp_server = interface->dhcp_server;
    info.lease_seconds = interface->lease_seconds;
    u64 now = time::now_ns();
    info.lease_remaining_ns = interface->lease_expires_ns > now ? interface->lease_expires_ns - now : 0;
    return info;
}

void for_each_interface(void (*fn)(InterfaceInfo const& info, void* ctx), void* ctx)
{
    for (usize i = 0; i < g_count; ++i) {
        auto info = interface_info(g_interfaces[i].name());
        if (!info.is_error())
            fn(info.value(), ctx);
    }
}

ErrorOr<void> configure_static(StringView name, Ipv4Address address, unsigned prefix, Ipv4Address gateway)
{
    Interface* interface = interface_by_name(name);
    if (!interface)
        return Error::from_errno(ENOENT);
    if (prefix > 32 || address.is_any())
        return Error::from_errno(EINVAL);
    sched::MutexGuard guard(g_interfaces_lock);
    dhcp_stop(*interface);
    TRY(bring_up(*interface));
    arp_flush(interface);
    set_addressing(*interface, true, ConfigMethod::Static, address, netmask_of(prefix), gateway);
    char a[IPV4_TEXT];
    log_info("net: %s: %s/%u (static)\n", interface->name(), format_ipv4(address, a), prefix);
    return {};
}

ErrorOr<void> start_dhcp(StringView name)
{
    Interface* interface = interface_by_name(name);
    if (!interface)
        return Error::from_errno(ENOENT);
    if (interface->is_loopback)
        return Error::from_errno(EINVAL);
    sched::MutexGuard guard(g_interfaces_lock);
    dhcp_stop(*interface);
    TRY(bring_up(*interface));
    arp_flush(interface);
    set_addressing(*interface, false, ConfigMethod::Dhcp, ANY_ADDRESS, ANY_ADDRESS, ANY_ADDRESS);
    return dhcp_start(*interface);
}

ErrorOr<void> deconfigure(StringView name)
{
    Interface* interface = interface_by_name(name);
    if (!interface)
        return Error::from_errno(ENOENT);
    sched::MutexGuard guard(g_interfaces_lock);
    dhcp_stop(*interface);
    arp_flush(interface);
    set_addressing(*interface, false, ConfigMethod::None, ANY_ADDRESS, ANY_ADDRESS, ANY_ADDRESS);
    return {};
}

ErrorOr<void> wait_configured(StringView name, u64 timeout_ns)
{
    Interface* interface = interface_by_name(name);
    if (!interface)
        return Error::from_errno(ENOENT);
    return interface->configured_wait.wait_event_until(
        [interface] { return interface->configured; }, sched::deadline_after(timeout_ns));
}

ProtocolStats stats()
{
    Counters const& c = g_counters;
    return {
        c.eth_rx.get(), c.eth_no_interface.get(),
        c.arp_rx_requests.get(), c.arp_rx_replies.get(), c.arp_tx_requests.get(), c.arp_tx_replies.get(),
        c.arp_malformed.get(), c.arp_not_for_us.get(), c.arp_queued.get(), c.arp_queue_overflow.get(),
        c.arp_resolve_failed.get(),
        c.ip_rx.get(), c.ip_delivered.get(), c.ip_bad_version.get(), c.ip_bad_header_length.get(),
        c.ip_bad_length.get(), c.ip_bad_checksum.get(), c.ip_fragments_dropped.get(), c.ip_not_for_us.get(),
        c.ip_unknown_protocol.get(), c.ip_tx.get(), c.ip_no_route.get(), c.ip_tx_errors.get(),
        c.icmp_rx.get(), c.icmp_rx_echo_requests.get(), c.icmp_tx_echo_replies.get(), c.icmp_rx_echo_replies.get(),
        c.icmp_tx_echo_requests.get(), c.icmp_rx_unreachable.get(), c.icmp_tx_unreachable.get(),
        c.icmp_bad_checksum.get(), c.icmp_malformed.get(), c.icmp_rate_limited.get(),
        c.udp_rx.get(), c.udp_delivered.get(), c.udp_no_port.get(), c.udp_bad_checksum.get(),
        c.udp_bad_length.get(), c.udp_queue_full.get(), c.udp_tx.get(), c.udp_tx_errors.get(),
    };
}

}
