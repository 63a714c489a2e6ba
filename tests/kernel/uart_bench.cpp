// The guest side of `make bench-uart` (tools/bench_uart.py): moves one buffer out through COM1
// and one in, in whatever mode uart.mode selected, and reports what each cost. It passes when
// every byte arrived intact; how fast they moved is reported, never judged.
//
//   uart.bench.bytes=N     bytes each way (default 4096: a quick smoke test)
//   uart.bench.dir=tx|rx|both   (default tx; rx needs the host to send, after the ready line)
//
// The report, one ktest::note line per direction, which tools/bench_uart.py parses:
//   uart_bench dir=tx mode=irq bytes=262144 ns=... interrupts=... busy_ns=... idle_ns=...
// Outgoing data is "BENCH-TX\n" and then the grader's generate sequence with seed 42; incoming
// data is expected to be that sequence with seed 43.
#include <drivers/uart16550_testing.h>
#include <drivers/uart16550.h>
#include <kernel/kernel.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace uart16550;

constexpr u32 TX_SEED = 42;
constexpr u32 RX_SEED = 43;

struct Sample {
    u64 ns, busy_ns, idle_ns, interrupts;
};

Sample sample(Port& port)
{
    return { time::now_ns(), sched::busy_ns(), sched::idle_ns(), stats(port).interrupts };
}

void report(char const* dir, Port& port, u64 bytes, Sample const& a, Sample const& b)
{
    u64 const ns = b.ns - a.ns, busy = b.busy_ns - a.busy_ns, idle = b.idle_ns - a.idle_ns;
    u64 const total = busy + idle;
    ktest::note("uart_bench dir=%s mode=%s bytes=%lu ns=%lu interrupts=%lu busy_ns=%lu idle_ns=%lu", dir,
                mode_name(mode(port)), bytes, ns, b.interrupts - a.interrupts, busy, idle);
    ktest::note("  %s: %lu bytes/s, %lu interrupts, CPU busy %lu%%", dir, ns ? bytes * time::NS_PER_S / ns : 0,
                b.interrupts - a.interrupts, total ? busy * 100 / total : 0);
}

ErrorOr<void> bench_tx(Port& port, dev::File& tty, u64 bytes)
{
    static u8 chunk[4096];
    uart_test::Xorshift32 generator(TX_SEED);
    static constexpr char header[] = "BENCH-TX\n";
    EXPECT_OK(uart_test::write_all(tty, { reinterpret_cast<u8 const*>(header), sizeof(header) - 1 }));
    EXPECT_OK(drain(port));
    Sample const start = sample(port);
    for (u64 sent = 0; sent < bytes;) {
        usize const n = usize(kstd::min<u64>(sizeof(chunk), bytes - sent));
        for (usize i = 0; i < n; ++i)
            chunk[i] = generator.next();
        auto written = uart_test::write_all(tty, { chunk, n });
        EXPECT_MSG(!written.is_error(), "write failed after %lu bytes", sent);
        sent += n;
    }
    EXPECT_OK(drain(port));
    report("tx", port, bytes, start, sample(port));
    return {};
}

ErrorOr<void> bench_rx(Port& port, dev::File& tty, u64 bytes)
{
    static u8 chunk[4096];
    uart_test::Xorshift32 expected(RX_SEED);
    uart_test::announce_ready("uart_bench");
    Sample start {};
    for (u64 received = 0; received < bytes;) {
        auto n = tty.read({ chunk, usize(kstd::min<u64>(sizeof(chunk), bytes - received)) });
        EXPECT_MSG(!n.is_error(), "read failed with %s after %lu of %lu bytes", n.error().name(), received, bytes);
        if (received == 0)
            start = sample(port);   // from the first byte: the host's start-up is not the UART's cost
        for (usize i = 0; i < n.value(); ++i)
            EXPECT_MSG(chunk[i] == expected.next(), "received byte %lu is wrong", received + i);
        received += n.value();
    }
    report("rx", port, bytes, start, sample(port));
    return {};
}

}

KTEST(uart_bench, CORE_SUITE)
{
    Port* port = uart16550::port(0);
    EXPECT_MSG(port, "ttyS0 is not bound");
    CommandLine const& cmdline = kernel_cmdline();
    u64 const bytes = cmdline.get_u64(StringView("uart.bench.bytes"), 4096);
    auto dir = cmdline.get(StringView("uart.bench.dir"));
    bool const tx = !dir.has_value() || *dir == StringView("tx") || *dir == StringView("both");
    bool const rx = dir.has_value() && (*dir == StringView("rx") || *dir == StringView("both"));
    EXPECT_MSG(tx || rx, "uart.bench.dir must be tx, rx or both");
    auto tty = EXPECT_OK(uart_test::open_binary("ttyS0", 10 * time::NS_PER_S));
    if (tx)
        TRY(bench_tx(*port, *tty, bytes));
    if (rx)
        TRY(bench_rx(*port, *tty, bytes));
    return {};
}
