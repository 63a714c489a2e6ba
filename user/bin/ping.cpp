// ping [-c COUNT] [-s SIZE] [-W SECONDS] A.B.C.D: ICMP echo requests, one a second, through the
// ping system call (include/uapi/ping.h); a line per reply and a summary, as iputils' ping:
//
//   PING 10.0.2.2 (10.0.2.2) 56(84) bytes of data.
//   64 bytes from 10.0.2.2: icmp_seq=1 ttl=255 time=0.812 ms
//   ...
//   --- 10.0.2.2 ping statistics ---
//   3 packets transmitted, 3 received, 0% packet loss, time 2004ms
//   rtt min/avg/max = 0.601/0.712/0.812 ms
//
// Exit status as iputils: 0 when a reply came, 1 when none did, 2 on any other error (a bad
// argument, no route to the network). Without -c it sends 4 (there is no Ctrl-C to stop it);
// it waits up to -W seconds (4) for each reply, long enough to hear that a neighbour on the
// link never answered ARP ("Destination Host Unreachable") rather than just silence.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 NS_PER_MS = 1'000'000;
constexpr u64 INTERVAL_NS = 1'000 * NS_PER_MS;
constexpr u32 DEFAULT_COUNT = 4;
constexpr u32 DEFAULT_PAYLOAD = 56;
constexpr u32 DEFAULT_WAIT_S = 4;   // past the stack's 3 s of ARP requests: "unreachable", not silence
constexpr usize HEADERS = 20 + 8;   // IPv4 and ICMP

struct Options {
    u64 count { DEFAULT_COUNT };
    u64 payload { DEFAULT_PAYLOAD };
    u64 wait_s { DEFAULT_WAIT_S };
    u32 address { 0 };
    char const* host { nullptr };
};

struct Statistics {
    u32 sent { 0 };
    u32 received { 0 };
    u64 min_ns { ~u64(0) }, max_ns { 0 }, total_ns { 0 };
};

int usage()
{
    dprintf(STDERR, "usage: ping [-c COUNT] [-s SIZE] [-W SECONDS] A.B.C.D\n");
    return 2;
}

// "a.b.c.d", four decimal octets, into host order. false on anything else.
bool parse_address(char const* text, u32* out)
{
    u32 value = 0;
    for (int octet = 0; octet < 4; ++octet) {
        if (*text < '0' || *text > '9')
            return false;
        u32 part = 0;
        int digits = 0;
        while (*text >= '0' && *text <= '9' && digits < 4) {
            part = part * 10 + u32(*text++ - '0');
            ++digits;
        }
        if (part > 255 || digits > 3 || *text != (octet == 3 ? '\0' : '.'))
            return false;
        if (octet < 3)
            ++text;
        value = value << 8 | part;
    }
    *out = value;
    return true;
}

bool parse_options(int argc, char** argv, Options& options)
{
    for (int i = 1; i < argc; ++i) {
        char const* flag = argv[i];
        u64* target = strcmp(flag, "-c") == 0 ? &options.count
                      : strcmp(flag, "-s") == 0 ? &options.payload
                      : strcmp(flag, "-W") == 0 ? &options.wait_s
                                                : nullptr;
        if (target) {
            if (i + 1 >= argc || !parse_size(argv[++i], target))
                return false;
        } else if (!options.host && parse_address(flag, &options.address)) {
            options.host = flag;
        } else {
            return false;
        }
    }
    return options.host && options.count > 0 && options.wait_s > 0
           && options.wait_s * 1000 <= uapi::PING_MAX_TIMEOUT_MS && options.payload <= 0xFFFF;
}

void print_ms(char const* prefix, u64 ns) { printf("%s%lu.%03lu", prefix, ns / NS_PER_MS, ns / 1000 % 1000); }

void print_summary(Options const& options, Statistics const& stats, u64 elapsed_ns)
{
    printf("\n--- %s ping statistics ---\n", options.host);
    printf("%u packets transmitted, %u received, %u%% packet loss, time %lums\n", stats.sent, stats.received,
           stats.sent ? (stats.sent - stats.received) * 100 / stats.sent : 0, elapsed_ns / NS_PER_MS);
    if (stats.received == 0)
        return;
    print_ms("rtt min/avg/max = ", stats.min_ns);
    print_ms("/", stats.total_ns / stats.received);
    print_ms("/", stats.max_ns);
    printf(" ms\n");
}

// One echo. Returns false when the error is one no later request can cure (exit 2).
bool ping_once(Options const& options, u16 sequence, Statistics& stats)
{
    uapi::PingRequest request {};
    request.address = options.address;
    request.sequence = sequence;
    request.payload_size = u16(options.payload);
    request.timeout_ms = u32(options.wait_s * 1000);
    uapi::PingReply reply {};
    ++stats.sent;
    if (ping(&request, &reply) == 0) {
        ++stats.received;
        stats.min_ns = kstd::min(stats.min_ns, reply.rtt_ns);
        stats.max_ns = kstd::max(stats.max_ns, reply.rtt_ns);
        stats.total_ns += reply.rtt_ns;
        printf("%u bytes from %s: icmp_seq=%u ttl=%u", unsigned(reply.payload_size + 8), options.host,
               unsigned(sequence), unsigned(reply.ttl));
        print_ms(" time=", reply.rtt_ns);
        printf(" ms\n");
        return true;
    }
    switch (errno) {
    case ETIMEDOUT:
        printf("no reply from %s: icmp_seq=%u (waited %lu s)\n", options.host, unsigned(sequence), options.wait_s);
        return true;
    case EHOSTUNREACH:
        printf("From %s icmp_seq=%u Destination Host Unreachable\n", options.host, unsigned(sequence));
        return true;
    case ENETDOWN:   // the link may come back: keep trying, as iputils does
    case EBUSY:
        printf("ping: icmp_seq=%u: %s (%s)\n", unsigned(sequence), kstd::errno_name(errno), strerror(errno));
        return true;
    default:
        dprintf(STDERR, "ping: %s: %s (%s)\n", options.host, kstd::errno_name(errno), strerror(errno));
        return false;
    }
}

}

int main(int argc, char** argv)
{
    Options options;
    if (!parse_options(argc, argv, options))
        return usage();
    printf("PING %s (%s) %lu(%lu) bytes of data.\n", options.host, options.host, options.payload,
           options.payload + HEADERS);
    Statistics stats;
    u64 started = clock_ns();
    for (u64 i = 0; i < options.count; ++i) {
        u64 sent_at = clock_ns();
        if (!ping_once(options, u16(i + 1), stats))
            return 2;
        u64 spent = clock_ns() - sent_at;
        if (i + 1 < options.count && spent < INTERVAL_NS)
            sleep_ns(INTERVAL_NS - spent);
    }
    print_summary(options, stats, clock_ns() - started);
    return stats.received ? 0 : 1;
}
