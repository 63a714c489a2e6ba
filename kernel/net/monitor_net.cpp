// The network monitor commands: ifconfig, arp, ping, udpecho, netstat.
#include <kernel/monitor.h>
#include <kernel/net/echo.h>
#include <kernel/net/net.h>
#include <kernel/net/ping.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/sort.h>
#include <kstd/string.h>

namespace net {

namespace {

constexpr unsigned MAX_PING_COUNT = 1000;

void print_ms(char const* label, u64 ns) { kprint("%s%lu.%03lu", label, ns / 1000000, ns / 1000 % 1000); }

void show_interface(InterfaceInfo const& info, void*)
{
    char a[IPV4_TEXT], g[IPV4_TEXT], d[IPV4_TEXT], s[IPV4_TEXT], m[MAC_TEXT];
    kprint("%s: %s, %s, mac %s, ", info.name, info.up ? "up" : "down", info.carrier ? "link up" : "NO LINK",
           format_mac(info.mac, m));
    if (!info.configured)
        kprint("no address%s\n", info.method == ConfigMethod::Dhcp ? " (DHCP in progress)" : "");
    else
        kprint("%s/%d (%s)\n", format_ipv4(info.address, a), prefix_of(info.netmask), method_name(info.method));
    if (info.configured && !info.gateway.is_any())
        kprint("    gateway %s", format_ipv4(info.gateway, g));
    if (info.method == ConfigMethod::Dhcp && info.configured)
        kprint(", dns %s, lease %lu s from %s, %lu s left", format_ipv4(info.dns, d), info.lease_seconds,
               format_ipv4(info.dhcp_server, s), info.lease_remaining_ns / time::NS_PER_S);
    if (info.configured && !info.gateway.is_any())
        kprint("\n");
    dev::NetDevStats const& st = info.device_stats;
    kprint("    rx %lu packets %lu bytes, %lu errors, %lu dropped; tx %lu packets %lu bytes, %lu errors, %lu dropped\n",
           st.rx_packets, st.rx_bytes, st.rx_errors, st.rx_dropped, st.tx_packets, st.tx_bytes, st.tx_errors,
           st.tx_dropped);
}

void configure(StringView name, StringView how, StringView gateway_text)
{
    ErrorOr<void> done = {};
    if (how == StringView("dhcp")) {
        done = start_dhcp(name);
    } else if (how == StringView("down")) {
        if (auto device = netdev::find(name); !device.is_error())
            netdev::down(*device.value());
        else
            done = device.release_error();
    } else if (how == StringView("up")) {
        if (auto device = netdev::find(name); !device.is_error())
            done = netdev::up(*device.value());
        else
            done = device.release_error();
    } else {
        auto prefix = parse_ipv4_prefix(how);
        Ipv4Address gateway;
        if (!gateway_text.is_empty()) {
            auto parsed = parse_ipv4(gateway_text);
            if (parsed.is_error()) {
                kprint("ifconfig: gateway '%.*s' is not an address\n", int(gateway_text.length()),
                       gateway_text.characters());
                return;
            }
            gateway = parsed.value();
        }
        if (prefix.is_error()) {
            kprint("usage: ifconfig [IFACE [A.B.C.D/N [GATEWAY] | dhcp | up | down]]\n");
            return;
        }
        done = configure_static(name, prefix.value().address, prefix.value().prefix, gateway);
    }
    if (done.is_error())
        kprint("ifconfig: %.*s: %s\n", int(name.length()), name.characters(), done.error().name());
}

struct PingOptions {
    unsigned count { 4 };
    usize size { 56 };
    u8 ttl { 64 };
    u64 interval_ns { time::NS_PER_S };
    u64 timeout_ns { time::NS_PER_S };
};

bool parse_ping_options(StringView args, Ipv4Address& host, PingOptions& options)
{
    bool have_host = false;
    while (auto word = args.next_word()) {
        if (word->length() == 2 && (*word)[0] == '-') {
            auto value = args.next_word();
            if (!value.has_value())
                return false;
            auto number = kstd::parse_u64(*value, 10);
            if (number.is_error())
                return false;
            u64 n = number.value();
            switch ((*word)[1]) {
            case 'c': options.count = unsigned(kstd::min<u64>(n, MAX_PING_COUNT)); break;
            case 's': options.size = usize(n); break;
            case 't': options.ttl = u8(kstd::min<u64>(n, 255)); break;
            case 'i': options.interval_ns = n * time::NS_PER_MS; break;
            case 'W': options.timeout_ns = n * time::NS_PER_MS; break;
            default: return false;
            }
            continue;
        }
        auto parsed = parse_ipv4(*word);
        if (parsed.is_error() || have_host)
            return false;
        host = parsed.value();
        have_host = true;
    }
    return have_host && options.count > 0;
}

void print_summary(Ipv4Address host, unsigned sent, u64* rtts, unsigned received)
{
    char h[IPV4_TEXT];
    kprint("--- %s ping statistics ---\n%u packets transmitted, %u received, %u%% packet loss\n",
           format_ipv4(host, h), sent, received, sent ? (sent - received) * 100 / sent : 0);
    if (received == 0)
        return;
    kstd::insertion_sort(Span<u64>(rtts, received));   // for the median and the 90th percentile
    print_ms("rtt min/median/p90/max = ", rtts[0]);
    print_ms("/", rtts[received / 2]);
    print_ms("/", rtts[(received * 9) / 10 < received ? (received * 9) / 10 : received - 1]);
    print_ms("/", rtts[received - 1]);
    kprint(" ms\n");
}

}

}

MONITOR_COMMAND(ifconfig, "ifconfig", "network interfaces; 'ifconfig IFACE A.B.C.D/N [GW] | dhcp | up | down'")
{
    using namespace net;
    auto words = args;
    auto name = words.next_word();
    if (!name.has_value()) {
        for_each_interface(show_interface, nullptr);
        return;
    }
    auto how = words.next_word();
    if (!how.has_value()) {
        auto info = interface_info(*name);
        if (info.is_error())
            kprint("ifconfig: %.*s: no such interface\n", int(name->length()), name->characters());
        else
            show_interface(info.value(), nullptr);
        return;
    }
    auto gateway = words.next_word();
    configure(*name, *how, gateway.has_value() ? *gateway : StringView());
}

MONITOR_COMMAND(arp, "arp", "the ARP cache; 'arp flush' empties it")
{
    using namespace net;
    auto words = args;
    if (auto word = words.next_word(); word.has_value() && *word == StringView("flush")) {
        flush_arp_cache();
        return;
    }
    kprint("%-16s %-18s %-6s %s\n", "address", "hardware address", "iface", "state");
    for_each_arp_entry(
        [](ArpEntryInfo const& e, void*) {
            char a[IPV4_TEXT], m[MAC_TEXT];
            if (e.resolved)
                kprint("%-16s %-18s %-6s reachable, %lu s left\n", format_ipv4(e.ip, a), format_mac(e.mac, m),
                       e.interface, e.expires_in_ns / time::NS_PER_S);
            else
                kprint("%-16s %-18s %-6s resolving: %u requests, %zu frames waiting\n", format_ipv4(e.ip, a),
                       "(incomplete)", e.interface, e.requests, e.waiting);
        },
        nullptr);
}

MONITOR_COMMAND(ping, "ping", "ping HOST [-c COUNT] [-s SIZE] [-t TTL] [-i MS] [-W MS]: ICMP echo")
{
    using namespace net;
    Ipv4Address host;
    PingOptions options;
    if (!parse_ping_options(args, host, options)) {
        kprint("usage: ping A.B.C.D [-c COUNT] [-s SIZE] [-t TTL] [-i INTERVAL_MS] [-W TIMEOUT_MS]\n");
        return;
    }
    static u64 rtts[MAX_PING_COUNT];
    unsigned received = 0;
    char h[IPV4_TEXT];
    format_ipv4(host, h);
    kprint("PING %s: %zu data bytes\n", h, options.size);
    for (unsigned seq = 1; seq <= options.count; ++seq) {
        u64 started = time::now_ns();
        auto reply = ping(host, u16(seq), options.size, options.ttl, options.timeout_ns);
        if (reply.is_error()) {
            kprint("icmp_seq=%u: %s\n", seq, reply.error().name());
        } else {
            rtts[received++] = reply.value().rtt_ns;
            kprint("%zu bytes from %s: icmp_seq=%u ttl=%u", reply.value().payload_size + 8, h, seq,
                   reply.value().ttl);
            print_ms(" time=", reply.value().rtt_ns);
            kprint(" ms\n");
        }
        if (seq < options.count) {
            u64 next = started + options.interval_ns;
            if (time::now_ns() < next)
                sched::sleep_until(next);
        }
    }
    print_summary(host, options.count, rtts, received);
}

MONITOR_COMMAND(udpecho, "udpecho", "UDP echo service: 'udpecho start [PORT]' (7), 'udpecho stop', 'udpecho'")
{
    using namespace net;
    auto words = args;
    auto verb = words.next_word();
    if (verb.has_value() && *verb == StringView("start")) {
        u16 port = 7;
        if (auto p = words.next_word(); p.has_value()) {
            auto parsed = kstd::parse_u64(*p, 10);
            if (parsed.is_error() || parsed.value() == 0 || parsed.value() > 0xFFFF) {
                kprint("udpecho: bad port\n");
                return;
            }
            port = u16(parsed.value());
        }
        if (auto started = start_udp_echo(port); started.is_error())
            kprint("udpecho: %s\n", started.error().name());
        return;
    }
    if (verb.has_value() && *verb == StringView("stop")) {
        stop_udp_echo();
        return;
    }
    EchoStats s = udp_echo_stats();
    if (!s.running)
        kprint("udp echo: not running ('udpecho start [PORT]')\n");
    else
        kprint("udp echo: port %u, %lu datagrams (%lu bytes) echoed, %lu send errors, %lu dropped (queue full)\n",
               s.port, s.echoed, s.bytes, s.send_errors, s.queue_drops);
}

MONITOR_COMMAND(netstat, "netstat", "network counters per protocol (what arrived, was sent, was dropped and why)")
{
    net::ProtocolStats s = net::stats();
    kprint("ethernet: %lu frames to the stack, %lu from unknown interfaces\n", s.eth_rx, s.eth_no_interface);
    kprint("arp: rx %lu requests %lu replies; tx %lu requests %lu replies; %lu malformed, %lu not for us; "
           "%lu queued while resolving, %lu queue overflows, %lu resolutions failed\n",
           s.arp_rx_requests, s.arp_rx_replies, s.arp_tx_requests, s.arp_tx_replies, s.arp_malformed,
           s.arp_not_for_us, s.arp_queued, s.arp_queue_overflow, s.arp_resolve_failed);
    kprint("ip: rx %lu, delivered %lu; dropped: %lu bad version, %lu bad header length, %lu bad length, "
           "%lu bad checksum, %lu fragments, %lu not for us, %lu unknown protocol; tx %lu, %lu no route, "
           "%lu errors\n",
           s.ip_rx, s.ip_delivered, s.ip_bad_version, s.ip_bad_header_length, s.ip_bad_length, s.ip_bad_checksum,
           s.ip_fragments_dropped, s.ip_not_for_us, s.ip_unknown_protocol, s.ip_tx, s.ip_no_route, s.ip_tx_errors);
    kprint("icmp: rx %lu (%lu echo requests, %lu echo replies, %lu unreachable), %lu bad checksum, %lu malformed; "
           "tx %lu echo replies, %lu echo requests, %lu unreachable (%lu rate limited)\n",
           s.icmp_rx, s.icmp_rx_echo_requests, s.icmp_rx_echo_replies, s.icmp_rx_unreachable, s.icmp_bad_checksum,
           s.icmp_malformed, s.icmp_tx_echo_replies, s.icmp_tx_echo_requests, s.icmp_tx_unreachable,
           s.icmp_rate_limited);
    kprint("udp: rx %lu, delivered %lu; dropped: %lu no port, %lu bad checksum, %lu bad length, %lu queue full; "
           "tx %lu, %lu errors\n",
           s.udp_rx, s.udp_delivered, s.udp_no_port, s.udp_bad_checksum, s.udp_bad_length, s.udp_queue_full,
           s.udp_tx, s.udp_tx_errors);
}
