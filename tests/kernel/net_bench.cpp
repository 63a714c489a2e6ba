// The guest side of `make bench-net` (tools/bench_net.py). Not in any rubric: benchmarks print
// numbers, they do not pass or fail on speed. Each reports `bench_net ...` note lines that the
// script parses: what the guest measured (round trips, its own progress), the NIC's interrupts
// and the CPU's busy time, around what the host measured.
//
//   bench_net_ping      pings the gateway (QEMU's user network) net.bench.count times
//   bench_net_echo      the UDP echo service, until the host says done; interrupts per packet
//   bench_net_livelock  a normal-priority thread counts its progress before and during the
//                       host's flood, while a reader drains a socket the flood fills
#include "../../lab/07-e1000/tests/net_test_support.h"
#include <kernel/bus/pci.h>
#include <kernel/io/dma.h>
#include <kernel/irq/irq.h>
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/net/echo.h>
#include <kernel/net/ping.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>

using namespace net_test;

namespace {

struct Sample {
    u64 now_ns, interrupts, rx_packets, tx_packets, busy_ns, idle_ns, bounces;
};

u64 e1000_interrupts()
{
    for (u16 id : { 0x100E, 0x100F, 0x100C }) {
        if (pci::PciDevice* nic = pci::find_id(0x8086, id)) {
            auto line = nic->irq_line();
            return line.has_value() ? irq::line_stats(*line).handled : 0;
        }
    }
    return 0;
}

Sample sample()
{
    Sample s { time::now_ns(), e1000_interrupts(), 0, 0, sched::busy_ns(), sched::idle_ns(), io::dma_stats().bounces };
    if (auto eth0 = netdev::find("eth0"); !eth0.is_error()) {
        dev::NetDevStats stats = eth0.value()->stats();
        s.rx_packets = stats.rx_packets;
        s.tx_packets = stats.tx_packets;
    }
    return s;
}

void report(char const* what, Sample const& a, Sample const& b)
{
    ktest::note("bench_net %s ns=%lu interrupts=%lu rx=%lu tx=%lu busy_ns=%lu idle_ns=%lu dma_bounces=%lu", what,
                b.now_ns - a.now_ns, b.interrupts - a.interrupts, b.rx_packets - a.rx_packets,
                b.tx_packets - a.tx_packets, b.busy_ns - a.busy_ns, b.idle_ns - a.idle_ns, b.bounces - a.bounces);
}

u64 bench_word(char const* key, u64 fallback) { return kernel_cmdline().get_u64(key, fallback); }

// --- the livelock measurement ---------------------------------------------------------------------

struct Worker {
    u64 volatile iterations { 0 };
    bool volatile stop { false };
};

// A fixed unit of work, counted: what an ordinary thread gets done.
void work(void* arg)
{
    auto& w = *static_cast<Worker*>(arg);
    while (!w.stop) {
        u32 volatile spin = 0;
        while (spin < 200)
            spin = u32(spin + 1);
        w.iterations = w.iterations + 1;
    }
}

struct Reader {
    net::UdpSocket* socket;
    u64 volatile received { 0 };
};

// Takes what the flood delivers to the sink socket, at an ordinary priority.
void read_sink(void* arg)
{
    auto& r = *static_cast<Reader*>(arg);
    u8 buffer[64];
    while (!r.socket->receive_from(Bytes(buffer, sizeof(buffer)), nullptr, net::NO_TIMEOUT).is_error())
        r.received = r.received + 1;
}

// Iterations per second of the worker over `ns`, measured by a higher-priority sleeper.
u64 progress_rate(Worker& worker, u64 ns)
{
    u64 start = time::now_ns();
    u64 before = worker.iterations;
    sched::sleep_until(start + ns);
    u64 done = worker.iterations - before;
    u64 elapsed = time::now_ns() - start;
    return elapsed ? done * time::NS_PER_S / elapsed : 0;
}

}

KTEST(bench_net_ping, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 20 * time::NS_PER_S));
    auto info = EXPECT_OK(net::interface_info("eth0"));
    u64 count = bench_word("net.bench.count", 100);
    (void)net::ping(info.gateway, 0, 56, 64, 2 * time::NS_PER_S);   // ARP, and the first-frame delays
    for (u16 seq = 1; seq <= count; ++seq) {
        auto reply = net::ping(info.gateway, seq, 56, 64, 2 * time::NS_PER_S);
        if (reply.is_error())
            ktest::note("bench_net ping seq=%u error=%s", seq, reply.error().name());
        else
            ktest::note("bench_net ping seq=%u rtt_ns=%lu", seq, reply.value().rtt_ns);
        sched::sleep_for(10 * time::NS_PER_MS);
    }
    return {};
}

KTEST(bench_net_echo, CORE_SUITE)
{
    EXPECT_OK(net::wait_configured("eth0", 20 * time::NS_PER_S));
    auto control = EXPECT_OK(control_socket());
    EXPECT_OK(net::start_udp_echo(ECHO_PORT));
    announce_ready("bench_net_echo");
    for (char const* phase : { "serial", "window" }) {
        EXPECT_OK(wait_for_peer(*control, phase, 120 * time::NS_PER_S));   // the host starts a phase
        Sample before = sample();
        EXPECT_OK(wait_for_peer(*control, "end", 120 * time::NS_PER_S));
        report(phase, before, sample());
    }
    net::stop_udp_echo();
    // Where the CPU went (runtime per thread), the interrupts and the NIC's counters, for the record.
    for (char const* command : { "threads", "irqs", "e1000" })
        monitor::execute(command);
    return {};
}

// Two floods, one after the other: during the first a normal-priority thread counts its
// progress (the flood's datagrams go to a socket nobody reads: the stack does all its work and
// then drops them); during the second a normal-priority reader takes what reaches its socket
// (the livelock throughput: what the application actually gets).
KTEST(bench_net_livelock, CORE_SUITE)
{
    TRY(eth0_configured());
    u64 window_ns = bench_word("net.bench.window_ms", 1500) * time::NS_PER_MS;
    auto control = EXPECT_OK(control_socket());
    auto sink = EXPECT_OK(net::UdpSocket::create());
    EXPECT_OK(sink->bind({ net::ANY_ADDRESS, 9 }));
    sink->set_receive_queue_limit(512);
    sched::set_priority(sched::current(), sched::PRIORITY_DEFAULT + 8);   // the measurer must get to run

    Worker worker;
    auto* worker_thread = EXPECT_OK(sched::spawn("bench-worker", work, &worker, sched::PRIORITY_DEFAULT));
    u64 idle_rate = progress_rate(worker, window_ns);
    announce_ready("bench_net_livelock");   // flood 1: the host floods, and pings as it does
    sched::sleep_for(200 * time::NS_PER_MS);
    Sample before = sample();
    u64 flood_rate = progress_rate(worker, window_ns);
    Sample after = sample();
    diag_print("@@CONDUIT measured name=bench_net_livelock nonce=%s\n", ktest::nonce());   // the host stops
    auto done = wait_for_peer(*control, "done", 600 * time::NS_PER_S);
    sched::sleep_for(200 * time::NS_PER_MS);   // what the NIC still held has been taken
    u64 idle_rate_after = progress_rate(worker, window_ns);   // a second baseline: the host's load may change
    worker.stop = true;
    (void)sched::join(worker_thread);
    EXPECT_MSG(!done.is_error(), "the host never said the first flood was done");
    ktest::note("bench_net livelock idle_rate=%lu flood_rate=%lu idle_rate_after=%lu socket_drops=%lu", idle_rate,
                flood_rate, idle_rate_after, sink->dropped());
    report("flood", before, after);

    while (!sink->receive_from(Bytes(), nullptr, 0).is_error()) {
    }
    Reader reader { sink.ptr() };
    auto* reader_thread = EXPECT_OK(sched::spawn("bench-reader", read_sink, &reader, sched::PRIORITY_DEFAULT));
    diag_print("@@CONDUIT ready-2 name=bench_net_livelock nonce=%s\n", ktest::nonce());   // flood 2
    sched::sleep_for(200 * time::NS_PER_MS);
    u64 received_before = reader.received;
    before = sample();
    sched::sleep_for(window_ns);
    after = sample();
    u64 delivered = reader.received - received_before;
    diag_print("@@CONDUIT measured-2 name=bench_net_livelock nonce=%s\n", ktest::nonce());
    done = wait_for_peer(*control, "done", 600 * time::NS_PER_S);
    sink->shutdown();
    (void)sched::join(reader_thread);
    EXPECT_MSG(!done.is_error(), "the host never said the second flood was done");
    ktest::note("bench_net reader delivered=%lu", delivered);
    report("reading", before, after);
    monitor::execute("e1000");   // the NIC's drops and the polls, for the record
    return {};
}
