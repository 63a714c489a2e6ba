// Lab 1 (synchronous PIO): the tests `make grade LAB=1` runs. See lab/01-uart-polling/README.md.
//
// They drive COM1 (ttyS0) in poll mode: through the driver's own interface
// (include/drivers/uart16550.h), where reinit() calls your hw_init(), putc() your poll_putc() and
// getc() your poll_getc(); and through /dev/ttyS0, whose poll mode writes with poll_putc() and
// takes input with poll_getc() (drivers/char/uart16550/poll_mode.cpp). Some tests also need the
// host: the grader's serial peer checks the bytes you send and types bytes for you to read
// (lab/01-uart-polling/rubric.toml), and its trace checks that you really poll.
#include <drivers/uart16550.h>
#include <drivers/uart16550_testing.h>
#include <kernel/sched/sync.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace uart16550;
using uart_test::com1_in_mode;

constexpr u64 MS = time::NS_PER_MS;

// The 8N1 line control value and the MCR bits hw_init() must leave.
constexpr u8 LCR_8N1 = 0x03;
constexpr u8 MCR_DTR_RTS_OUT2 = 0x0B;
constexpr u8 MCR_LOOPBACK = 0x10;
constexpr u8 LSR_DR = 0x01, LSR_THRE = 0x20, LSR_TEMT = 0x40;

ErrorOr<void> expect_programmed(Port& port, u16 divisor)
{
    Registers r = registers(port);
    EXPECT_MSG(r.divisor == divisor, "divisor latch holds %u, expected %u (%u baud)", r.divisor, divisor,
               115200 / divisor);
    EXPECT_MSG(r.lcr == LCR_8N1, "LCR is %#04x, expected %#04x: 8 data bits, no parity, 1 stop bit, DLAB clear",
               r.lcr, LCR_8N1);
    EXPECT_MSG(r.ier == 0, "IER is %#04x: in poll mode the UART must not interrupt (IER = 0)", r.ier);
    EXPECT_MSG((r.mcr & ~MCR_LOOPBACK) == MCR_DTR_RTS_OUT2, "MCR is %#04x, expected DTR | RTS | OUT2 (%#04x)",
               r.mcr, MCR_DTR_RTS_OUT2);
    EXPECT_MSG(r.fifo_enabled, "the FIFOs are off (IIR bits 6-7 are not 11): set FCR's enable bit");
    return {};
}

// Reads `count` bytes with getc, each within `timeout_ns`.
ErrorOr<void> expect_received(Port& port, u8 const* expected, usize count, u64 timeout_ns, char const* what)
{
    for (usize i = 0; i < count; ++i) {
        auto byte = getc(port, sched::deadline_after(timeout_ns));
        EXPECT_MSG(!byte.is_error(), "%s: byte %zu of %zu: getc failed with %s", what, i, count,
                   byte.error().name());
        EXPECT_MSG(byte.value() == expected[i], "%s: byte %zu is %#04x, expected %#04x", what, i, byte.value(),
                   expected[i]);
    }
    return {};
}

}

// --- hw_init ---------------------------------------------------------------------------------

KTEST(uart_init_registers, 1)
{
    Port* port = TRY(com1_in_mode(Mode::Poll));
    // The driver initialised ttyS0 at boot with uart.baud (115200 unless the rubric says).
    TRY(expect_programmed(*port, 1));

    EXPECT_OK(reinit(*port, 9600));
    TRY(expect_programmed(*port, 12));
    // Rates that 115200 is not a multiple of cannot be programmed exactly: refuse them, and
    // leave the UART as it was.
    EXPECT_ERROR(reinit(*port, 0), EINVAL);
    EXPECT_ERROR(reinit(*port, 7), EINVAL);
    EXPECT_ERROR(reinit(*port, 230400), EINVAL);
    TRY(expect_programmed(*port, 12));

    EXPECT_OK(reinit(*port, 115200));
    TRY(expect_programmed(*port, 1));
    return {};
}

// --- poll_putc / poll_getc in loopback: no host needed --------------------------------------

KTEST(uart_loopback_putc_getc, 1)
{
    Port* port = TRY(com1_in_mode(Mode::Poll));
    u8 pattern[16] = {};   // the receive FIFO holds 16 bytes
    for (usize i = 0; i < sizeof(pattern); ++i)
        pattern[i] = u8(0xA5 ^ (i * 37));

    set_loopback(*port, true);
    // A full FIFO's worth out and back. The grader counts LSR reads between these marks: a
    // putc that does not wait for THRE (or a getc that does not look at DR) is not polling.
    trace_mark(*port, "putc-begin");
    for (u8 byte : pattern) {
        if (auto sent = putc(*port, byte); sent.is_error()) {
            set_loopback(*port, false);
            return ktest::fail(__FILE__, __LINE__, "putc failed with %s", sent.error().name());
        }
    }
    trace_mark(*port, "putc-end");
    trace_mark(*port, "getc-begin");
    auto received = expect_received(*port, pattern, sizeof(pattern), 100 * MS, "loopback");
    trace_mark(*port, "getc-end");

    // Nothing more is there: getc must give up at its deadline, neither early nor never.
    auto at_once = getc(*port, 0);
    u64 const start = time::now_ns();
    auto later = getc(*port, start + 20 * MS);
    u64 const waited = time::now_ns() - start;
    Registers idle = registers(*port);
    set_loopback(*port, false);

    TRY(kstd::move(received));
    EXPECT_MSG(at_once.is_error() && at_once.error().code() == ETIMEDOUT,
               "getc(port, 0) with nothing received must fail with ETIMEDOUT at once, got %s",
               at_once.is_error() ? at_once.error().name() : "a byte");
    EXPECT_MSG(later.is_error() && later.error().code() == ETIMEDOUT,
               "getc with a 20 ms deadline and nothing received must fail with ETIMEDOUT, got %s",
               later.is_error() ? later.error().name() : "a byte");
    EXPECT_MSG(waited >= 20 * MS && waited < 1000 * MS,
               "getc with a 20 ms deadline returned after %lu us: it must wait until the deadline, then stop",
               waited / 1000);
    EXPECT_MSG((idle.lsr & LSR_DR) == 0, "LSR.DR is still set after every byte was read (LSR %#04x)", idle.lsr);
    EXPECT_MSG((idle.lsr & (LSR_THRE | LSR_TEMT)) == (LSR_THRE | LSR_TEMT),
               "the transmitter is not idle after the loopback test (LSR %#04x)", idle.lsr);
    return {};
}

// Re-initialising must not throw away bytes that have already arrived (FCR's clear bits).
KTEST(uart_init_keeps_received_bytes, 1)
{
    Port* port = TRY(com1_in_mode(Mode::Poll));
    static constexpr u8 word[] = { 'k', 'e', 'e', 'p' };
    set_loopback(*port, true);
    for (u8 byte : word) {
        if (auto sent = putc(*port, byte); sent.is_error()) {
            set_loopback(*port, false);
            return ktest::fail(__FILE__, __LINE__, "putc failed with %s", sent.error().name());
        }
    }
    // The four bytes now wait in the receive FIFO. hw_init() turns loopback off (MCR).
    auto again = reinit(*port, 115200);
    set_loopback(*port, false);
    EXPECT_MSG(!again.is_error(), "reinit(115200) failed with %s", again.error().name());
    TRY(expect_received(*port, word, sizeof(word), 100 * MS,
                        "bytes received before hw_init() (did it set FCR's ClearRx bit?)"));
    return {};
}

// --- with the host: output checked byte for byte, input typed by the grader -----------------

// The bytes are the grader's `generate` sequence from a seed it picks per run
// (uart_test::payload_seed(), from `ktest.seed=` on the command line).
constexpr usize TX_BYTES = 8192;

KTEST(uart_tx_buffer, 1)
{
    Port* port = TRY(com1_in_mode(Mode::Poll));
    u32 const seed = TRY(uart_test::payload_seed());
    static u8 buffer[TX_BYTES];
    uart_test::Xorshift32::fill(buffer, sizeof(buffer), seed);
    auto tty = EXPECT_OK(uart_test::open_binary("ttyS0", 10'000 * MS));
    Stats before = stats(*port);

    trace_mark(*port, "tx-begin");
    static constexpr char header[] = "BEGIN\n";
    auto head = uart_test::write_all(*tty, { reinterpret_cast<u8 const*>(header), sizeof(header) - 1 });
    auto body = uart_test::write_all(*tty, { buffer, sizeof(buffer) });
    trace_mark(*port, "tx-end");

    EXPECT_MSG(!head.is_error() && !body.is_error(), "writing /dev/ttyS0 failed with %s",
               head.is_error() ? head.error().name() : body.error().name());
    EXPECT_OK(drain(*port));
    Stats after = stats(*port);
    EXPECT_EQ(after.bytes_out - before.bytes_out, TX_BYTES + sizeof(header) - 1);
    EXPECT_MSG(after.interrupts == before.interrupts, "poll mode took %lu UART interrupts",
               after.interrupts - before.interrupts);
    ktest::note("sent %zu bytes by polling LSR.THRE", TX_BYTES);
    return {};
}

// The grader types one line after the ready line; read it with getc and send it back.
KTEST(uart_rx_line, 1)
{
    Port* port = TRY(com1_in_mode(Mode::Poll));
    static constexpr char expected[] = "The quick brown fox jumps over the lazy dog, 0123456789!\n";
    char line[sizeof(expected)] = {};
    usize length = 0;
    uart_test::announce_ready("uart_rx_line");
    while (length < sizeof(expected) - 1) {
        auto byte = getc(*port, sched::deadline_after(10'000 * MS));
        EXPECT_MSG(!byte.is_error(), "after %zu bytes of the line: getc failed with %s (the grader typed "
                   "%zu bytes)", length, byte.error().name(), sizeof(expected) - 1);
        line[length++] = char(byte.value());
        if (byte.value() == '\n')
            break;
    }
    for (usize i = 0; i < sizeof(expected) - 1; ++i)
        EXPECT_MSG(line[i] == expected[i], "byte %zu of the typed line is %#04x ('%c'), expected '%c'", i,
                   u8(line[i]), line[i] >= ' ' && line[i] < 0x7f ? line[i] : '?', expected[i]);
    auto tty = EXPECT_OK(uart_test::open_binary("ttyS0", 10'000 * MS));
    static constexpr char prefix[] = "echo: ";
    EXPECT_OK(uart_test::write_all(*tty, { reinterpret_cast<u8 const*>(prefix), sizeof(prefix) - 1 }));
    EXPECT_OK(uart_test::write_all(*tty, { reinterpret_cast<u8 const*>(line), length }));
    EXPECT_OK(drain(*port));
    return {};
}

constexpr usize RX_BYTES = 4096;

// 4 KiB of binary data typed at full speed, read from /dev/ttyS0 in poll mode (the poller thread
// takes it with poll_getc()), checked against the grader's sequence.
KTEST(uart_rx_bulk, 1)
{
    Port* port = TRY(com1_in_mode(Mode::Poll));
    uart_test::Xorshift32 expected(TRY(uart_test::payload_seed()));
    auto tty = EXPECT_OK(uart_test::open_binary("ttyS0", 10'000 * MS));
    Stats before = stats(*port);
    uart_test::announce_ready("uart_rx_bulk");
    usize received = 0;
    u8 chunk[64];
    while (received < RX_BYTES) {
        auto count = tty->read({ chunk, kstd::min(sizeof(chunk), RX_BYTES - received) });
        EXPECT_MSG(!count.is_error(), "after %zu of %zu bytes: read failed with %s", received, RX_BYTES,
                   count.error().name());
        for (usize i = 0; i < count.value(); ++i) {
            u8 want = expected.next();
            EXPECT_MSG(chunk[i] == want, "byte %zu is %#04x, expected %#04x", received + i, chunk[i], want);
        }
        received += count.value();
    }
    Stats after = stats(*port);
    EXPECT_EQ(after.bytes_in - before.bytes_in, RX_BYTES);
    ktest::note("received %zu bytes by polling LSR.DR", received);
    return {};
}
