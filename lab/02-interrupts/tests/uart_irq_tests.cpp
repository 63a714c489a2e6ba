// Lab 2 (interrupts): the tests `make grade LAB=2` runs. See lab/02-interrupts/README.md.
//
// irq_dispatch_shared_line exercises your irq::dispatch() with interrupts raised in software on
// a line no device uses. Every other test boots the UART driver with uart.mode=irq and uses
// /dev/ttyS0 in binary mode (include/drivers/uart16550_testing.h): a write goes through the TTY
// core's write() (your sleeping writer) into your queue_tx(), THRE interrupts and tx_refill();
// a read waits in the TTY core's read() (your sleeping reader) for what your top half's
// rx_drain() put into the flip buffer. Loopback mode (MCR bit 4) makes a test independent of
// the host: what the UART sends, it receives itself, each way by interrupt. The rest use the
// grader's serial peer and its trace of the UART's registers (lab/02-interrupts/rubric.toml).
#include <drivers/uart16550.h>
#include <drivers/uart16550_testing.h>
#include <kernel/dev/devfs.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/irqchip.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kernel/tty/tty.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace uart16550;
using uart_test::com1_in_mode;

constexpr u64 MS = time::NS_PER_MS;
constexpr u8 IER_RX = 0x01, IER_THRE = 0x02;

ReadonlyBytes text(char const* s) { return { reinterpret_cast<u8 const*>(s), strlen(s) }; }

ErrorOr<OwnPtr<dev::File>> open_ttyS0(u64 timeout_ns) { return uart_test::open_binary("ttyS0", timeout_ns); }

tty::TtyStats tty_stats(dev::File& file)
{
    tty::TtyStats s {};
    (void)file.ioctl(tty::TTY_GET_STATS, uptr(&s));
    return s;
}

// write() and drain() in a thread of their own, watched from the test: if the transmitter makes
// no progress for 2 s the test fails and says so, instead of hanging until the grader's timeout.
struct Transfer {
    dev::File* file;
    Port* port;
    ReadonlyBytes data;
    usize volatile written;
    int volatile error;
    bool volatile done;
};

void transfer_thread(void* arg)
{
    auto& t = *static_cast<Transfer*>(arg);
    auto written = t.file->write(t.data);
    if (written.is_error()) {
        t.error = written.error().code();
    } else {
        t.written = written.value();
        if (auto drained = drain(*t.port); drained.is_error())
            t.error = drained.error().code();
    }
    t.done = true;
}

// A transmission that made no progress for 2 s, diagnosed from IER and the THRE count so that the
// message names the likely mistake rather than listing them all.
Error stalled(Port& port, char const* what, u64 sent, usize size, u64 thre_interrupts)
{
    Registers const r = registers(port);   // (IIR is read only with THRE off: nothing is acknowledged)
    if (!(r.ier & IER_THRE))
        return ktest::fail(__FILE__, __LINE__, "%s: stalled at %lu of %zu bytes with IER %#04x: THRE never enabled "
                           "while bytes wait (derive_ier() must ask for THRE when the queue holds bytes)", what, sent,
                           size, r.ier);
    if (thre_interrupts == 0)
        return ktest::fail(__FILE__, __LINE__, "%s: stalled at %lu of %zu bytes: IER has THRE but no THRE interrupt "
                           "came. THRE left enabled after the queue last ran empty raises none (host test "
                           "uart_host_thre_off); so does a missing EOI (pic_host_eoi)", what, sent, size);
    return ktest::fail(__FILE__, __LINE__, "%s: stalled at %lu of %zu bytes after %lu THRE interrupts: does tx_refill() "
                       "write THR, and does the top half read IIR only to handle what it says?", what, sent, size,
                       thre_interrupts);
}

ErrorOr<void> write_and_drain(dev::File& file, Port& port, ReadonlyBytes data, char const* what)
{
    static Transfer transfer;
    transfer.file = &file;
    transfer.port = &port;
    transfer.data = data;
    transfer.written = 0;
    transfer.error = 0;
    transfer.done = false;
    Stats const start = stats(port);
    sched::Thread* thread = EXPECT_OK(sched::spawn("lab2-writer", transfer_thread, &transfer));
    u64 out = start.bytes_out, last_progress = time::now_ns();
    while (!transfer.done) {
        sched::sleep_for(10 * MS);
        Stats const now = stats(port);
        if (now.bytes_out != out) {
            out = now.bytes_out;
            last_progress = time::now_ns();
        } else if (time::now_ns() - last_progress > 2000 * MS) {
            sched::detach(thread);
            return stalled(port, what, out - start.bytes_out, data.size(), now.tx_interrupts - start.tx_interrupts);
        }
    }
    (void)sched::join(thread);
    EXPECT_MSG(transfer.error == 0, "%s: write or drain failed with %s", what, kstd::errno_name(transfer.error));
    EXPECT_MSG(transfer.written == data.size(), "%s: write returned %zu of %zu bytes", what, transfer.written,
               data.size());
    return {};
}

// Loopback for the duration of a test, switched off again on every return path.
class Loopback {
public:
    explicit Loopback(Port& port) : m_port(port) { set_loopback(m_port, true); }
    ~Loopback() { set_loopback(m_port, false); }
    Loopback(Loopback const&) = delete;
    Loopback& operator=(Loopback const&) = delete;

private:
    Port& m_port;
};

}

// --- irq::dispatch (kernel/irq/irq_core.cpp) ------------------------------------------------

namespace {

constexpr irq::IrqLine TEST_LINE = 5;   // ISA IRQ 5: no device uses it on q35 or pc

struct Counter {
    u32 volatile calls { 0 };
    u32 volatile order { 0 };   // the value of g_sequence when last called
    irq::IrqReturn answer { irq::IrqReturn::Handled };
};
u32 volatile g_sequence = 0;

irq::IrqReturn counting_handler(void* ctx)
{
    auto& c = *static_cast<Counter*>(ctx);
    c.calls = c.calls + 1;
    g_sequence = g_sequence + 1;
    c.order = g_sequence;
    return c.answer;
}

}

KTEST(irq_dispatch_shared_line, 2)
{
    Counter first { 0, 0, irq::IrqReturn::None }, second { 0, 0, irq::IrqReturn::Handled };
    auto a = EXPECT_OK(irq::request_irq(TEST_LINE, counting_handler, &first, irq::IrqFlags::Shared, "lab2-first"));
    auto b = EXPECT_OK(irq::request_irq(TEST_LINE, counting_handler, &second, irq::IrqFlags::Shared, "lab2-second"));
    irq::LineStats before = irq::line_stats(TEST_LINE);
    for (int i = 0; i < 3; ++i)
        irq::irqchip().raise_for_test(TEST_LINE);
    EXPECT_MSG(first.calls == 3, "3 interrupts on line %u: the first handler was called %u times "
               "(dispatch() must call the handlers of the line)", TEST_LINE, first.calls);
    EXPECT_MSG(second.calls == 3, "3 interrupts on line %u: the second handler was called %u times (the "
               "first answered None, 'not mine': dispatch() must go on to the next one)", TEST_LINE, second.calls);
    EXPECT_MSG(first.order < second.order, "the handlers ran out of order: call them in the order they were installed");
    irq::LineStats after = irq::line_stats(TEST_LINE);
    EXPECT_MSG(after.handled - before.handled == 3, "line_stats().handled grew by %lu for 3 claimed interrupts",
               after.handled - before.handled);
    EXPECT_MSG(after.unhandled == before.unhandled, "line_stats().unhandled grew by %lu although every interrupt "
               "was claimed", after.unhandled - before.unhandled);

    second.answer = irq::IrqReturn::None;   // now nobody claims it
    irq::irqchip().raise_for_test(TEST_LINE);
    irq::LineStats unclaimed = irq::line_stats(TEST_LINE);
    EXPECT_MSG(unclaimed.unhandled - after.unhandled == 1 && unclaimed.handled == after.handled,
               "an interrupt no handler claimed must count as unhandled (handled +%lu, unhandled +%lu)",
               unclaimed.handled - after.handled, unclaimed.unhandled - after.unhandled);
    return {};
}

// --- the UART in interrupt mode -----------------------------------------------------------

// Eight round trips through the UART in loopback. Each one needs fresh interrupts: THRE to send
// and the receiver's character timeout to receive (3 bytes never reach the trigger level), so
// a missing EOI or a top half that leaves a cause unhandled stops it at round 1 or 2.
KTEST(uart_irq_loopback_echo, 2)
{
    Port* port = TRY(com1_in_mode(Mode::Irq));
    auto tty = EXPECT_OK(open_ttyS0(1000 * MS));
    Stats before = stats(*port);
    {
        Loopback loop(*port);
        for (int round = 0; round < 8; ++round) {
            u8 out[3] = { '<', u8('0' + round), '>' };
            auto sent = tty->write(out);
            EXPECT_MSG(!sent.is_error() && sent.value() == 3, "round %d: write failed with %s", round,
                       sent.is_error() ? sent.error().name() : "a short count");
            u8 in[3] = {};
            usize got = uart_test::read_exactly(*tty, in, 3);
            EXPECT_MSG(got == 3, "round %d: %zu of 3 bytes came back within 1 s (interrupts so far: %lu): does "
                       "the top half refill THR and drain RBR, and does the interrupt controller get its EOI?",
                       round, got, stats(*port).interrupts - before.interrupts);
            EXPECT_MSG(memcmp(in, out, 3) == 0, "round %d: sent '%c%c%c', received '%c%c%c'", round, out[0],
                       out[1], out[2], in[0], in[1], in[2]);
        }
        TRY(write_and_drain(*tty, *port, {}, "drain after the last round"));
    }
    Registers r = registers(*port);
    Stats after = stats(*port);
    EXPECT_MSG(after.rx_interrupts - before.rx_interrupts >= 8, "8 receptions took %lu receive interrupts",
               after.rx_interrupts - before.rx_interrupts);
    EXPECT_MSG(after.tx_interrupts > before.tx_interrupts, "no THRE interrupt was counted");
    EXPECT_MSG((r.ier & IER_THRE) == 0, "IER is %#04x after everything was sent: with the queue empty "
               "derive_ier() must leave THRE out, and tx_refill() must call update_ier()", r.ier);
    EXPECT_MSG((r.ier & IER_RX) != 0, "IER is %#04x with /dev/ttyS0 open: the receive interrupt must be on",
               r.ier);
    return {};
}

constexpr usize RX_BYTES = 20000;

// 20,000 bytes typed at full speed (the grader's `generate` sequence from a seed it picks per
// run, uart_test::payload_seed()) arrive intact through the receive interrupt, and the reader
// sleeps while it waits (the CPU is idle some of the time). The grader counts the UART's
// register reads and the interrupts delivered between the marks rx-begin and rx-end, and then
// for IDLE_WINDOW_MS with the port open and nothing arriving (idle-begin .. idle-end): an
// interrupt-driven driver does not touch the UART then.
constexpr u64 IDLE_WINDOW_MS = 200;

KTEST(uart_irq_rx_20k, 2)
{
    Port* port = TRY(com1_in_mode(Mode::Irq));
    auto tty = EXPECT_OK(open_ttyS0(10'000 * MS));
    uart_test::Xorshift32 expected(TRY(uart_test::payload_seed()));
    Stats before = stats(*port);
    u64 const idle_before = sched::idle_ns(), start = time::now_ns();
    trace_mark(*port, "rx-begin");
    uart_test::announce_ready("uart_irq_rx_20k");
    static u8 chunk[512];
    usize received = 0;
    while (received < RX_BYTES) {
        auto count = tty->read({ chunk, kstd::min(sizeof(chunk), RX_BYTES - received) });
        EXPECT_MSG(!count.is_error(), "after %zu of %zu bytes: read failed with %s (%lu receive interrupts): "
                   "does the top half drain RBR into the flip buffer, is the EOI sent?", received, RX_BYTES,
                   count.error().name(), stats(*port).rx_interrupts - before.rx_interrupts);
        for (usize i = 0; i < count.value(); ++i) {
            u8 want = expected.next();
            EXPECT_MSG(chunk[i] == want, "byte %zu is %#04x, expected %#04x", received + i, chunk[i], want);
        }
        received += count.value();
    }
    u64 const elapsed = time::now_ns() - start, idle = sched::idle_ns() - idle_before;
    trace_mark(*port, "rx-end");
    Stats after = stats(*port);
    trace_mark(*port, "idle-begin");
    sched::sleep_for(IDLE_WINDOW_MS * MS);
    trace_mark(*port, "idle-end");
    u64 const interrupts = after.rx_interrupts - before.rx_interrupts;
    ktest::note("received %zu bytes in %lu ms: %lu receive interrupts, %lu throttles, CPU idle %lu%%", received,
                elapsed / MS, interrupts, after.rx_throttles - before.rx_throttles, elapsed ? idle * 100 / elapsed : 0);
    EXPECT_EQ(after.bytes_in - before.bytes_in, RX_BYTES);
    EXPECT_MSG(interrupts > 0, "no receive interrupt was counted");
    EXPECT_MSG(idle > 0, "the CPU was never idle while 20,000 bytes came in: the reader must sleep on the wait "
               "queue, not spin");
    EXPECT_MSG(after.overruns == before.overruns, "%lu overruns while receiving", after.overruns - before.overruns);
    return {};
}

constexpr usize TX_BYTES = 65536;

// 64 KiB out through the TX queue, the grader's sequence from its per-run seed
// (uart_test::payload_seed()). The host checks every byte; the trace checks that the driver
// did not poll LSR meanwhile and that it did enable THRE.
KTEST(uart_irq_tx_64k, 2)
{
    Port* port = TRY(com1_in_mode(Mode::Irq));
    auto tty = EXPECT_OK(open_ttyS0(10'000 * MS));
    u32 const seed = TRY(uart_test::payload_seed());
    static u8 buffer[TX_BYTES];
    uart_test::Xorshift32::fill(buffer, sizeof(buffer), seed);
    Stats before = stats(*port);
    u64 const start = time::now_ns();

    trace_mark(*port, "tx-begin");
    auto head = tty->write(text("BEGIN\n"));
    auto body = write_and_drain(*tty, *port, { buffer, sizeof(buffer) }, "64 KiB");
    trace_mark(*port, "tx-end");

    u64 const elapsed = time::now_ns() - start;
    EXPECT_MSG(!head.is_error(), "write failed with %s", head.error().name());
    TRY(kstd::move(body));
    Stats after = stats(*port);
    u64 const interrupts = after.tx_interrupts - before.tx_interrupts;
    ktest::note("sent %zu bytes in %lu ms with %lu THRE interrupts", TX_BYTES + 6, elapsed / MS, interrupts);
    EXPECT_EQ(after.bytes_out - before.bytes_out, TX_BYTES + 6);
    EXPECT_MSG(interrupts > 0, "no THRE interrupt was counted");
    EXPECT_MSG(interrupts < TX_BYTES / 4, "%lu THRE interrupts for %zu bytes: each one may move a whole FIFO "
               "(16 bytes)", interrupts, TX_BYTES);
    Registers r = registers(*port);
    EXPECT_MSG((r.ier & IER_THRE) == 0, "IER is %#04x after the queue ran empty: THRE must be off when there is "
               "nothing left to send", r.ier);
    return {};
}

namespace {

struct BlockedReader {
    dev::File* file;
    u8 buffer[8];
    usize volatile count;
    int volatile error;
    bool volatile done;
};

void blocked_reader(void* arg)
{
    auto& state = *static_cast<BlockedReader*>(arg);
    auto result = state.file->read(state.buffer);
    state.error = result.is_error() ? result.error().code() : 0;
    state.count = result.is_error() ? 0 : result.value();
    state.done = true;
}

// A reader thread sleeps until data comes: blocked on the wait queue, not woken meanwhile. Then a
// wake-up without data: one byte goes out (loopback off, so nothing comes back) and the driver's
// write_wakeup() wakes the TTY's one wait queue, readers included. A reader must check its
// condition again and go back to sleep. Then 4 bytes come back in loopback and it returns.
ErrorOr<void> check_blocked_reader(dev::File& tty, Port& port)
{
    static BlockedReader reader;
    reader.file = &tty;
    reader.count = 0;
    reader.error = 0;
    reader.done = false;
    tty.set_timeout_ns(3000 * MS);
    sched::Thread* thread = EXPECT_OK(sched::spawn("lab2-reader", blocked_reader, &reader));
    sched::sleep_for(50 * MS);   // it gets to its wait
    u64 const switches_before = sched::switch_count(thread);
    sched::sleep_for(300 * MS);
    u64 const wakeups = sched::switch_count(thread) - switches_before;
    sched::ThreadState const state = sched::state(thread);
    bool const returned_early = reader.done;
    u64 const out_before = stats(port).bytes_out;
    set_loopback(port, false);
    EXPECT_OK(tty.write(text(".")));   // to the line: a writer's wake-up, and no data for the reader
    for (int i = 0; i < 20 && stats(port).bytes_out == out_before; ++i)
        sched::sleep_for(5 * MS);
    sched::sleep_for(50 * MS);
    set_loopback(port, true);
    bool const returned_on_wakeup = reader.done && !returned_early;
    usize const count_on_wakeup = reader.count;
    int const error_on_wakeup = reader.error;
    EXPECT_OK(tty.write(text("wake")));
    for (int i = 0; i < 100 && !reader.done; ++i)
        sched::sleep_for(10 * MS);
    bool const woke = reader.done;
    if (woke)
        (void)sched::join(thread);
    else
        sched::detach(thread);   // it times out by itself
    EXPECT_MSG(!returned_early, "read returned (error %d) before any byte was sent: it must wait for data",
               reader.error);
    EXPECT_MSG(state == sched::ThreadState::Blocked, "while waiting for data the reader was %s: it must sleep on "
               "the device's wait queue (wait_event_until), not nap and look again", sched::state_name(state));
    EXPECT_MSG(wakeups == 0, "the reader was woken %lu times in 300 ms while no byte came: only the bottom half "
               "(data) and a hang-up may wake it", wakeups);
    // (The whole reason must fit the runner's 256 bytes.)
    EXPECT_MSG(!returned_on_wakeup, "condition not re-checked after waking: a writer's wake-up (one wait queue) woke "
               "the reader with no data, and read returned %zu bytes (error %d): wait_event_until() checks again "
               "after every wake-up", count_on_wakeup, error_on_wakeup);
    EXPECT_MSG(woke, "the reader did not return within 1 s after 4 bytes arrived: is it woken?");
    EXPECT_MSG(reader.error == 0 && reader.count >= 1 && reader.count <= 4 &&
                   memcmp(reader.buffer, "wake", reader.count) == 0,
               "the woken reader got %zu bytes (error %d), expected the start of \"wake\"", reader.count,
               reader.error);
    u8 rest[4];
    tty.set_timeout_ns(200 * MS);
    (void)uart_test::read_exactly(tty, rest, 4 - reader.count);
    return {};
}


// A writer whose queue is full sleeps, and is woken once the queue has drained below its
// low-water mark, not for every refill. Output is suspended (tcflow, TCXONC) while the 12 KiB
// write fills the 4 KiB queue, so the test does not depend on how fast QEMU transmits.
ErrorOr<void> check_blocked_writer(dev::File& tty, Port& port)
{
    static u8 big[3 * 4096 + 100];
    for (usize i = 0; i < sizeof(big); ++i)
        big[i] = u8('a' + i % 26);
    tty.set_timeout_ns(10'000 * MS);
    Stats const before = stats(port);
    tty::TtyStats const tty_before = tty_stats(tty);
    EXPECT_OK(tty.ioctl(tty::TCXONC, tty::TCOOFF));
    static Transfer transfer;
    transfer = Transfer { &tty, &port, big, 0, 0, false };
    sched::Thread* thread = EXPECT_OK(sched::spawn("lab2-writer", transfer_thread, &transfer));
    sched::sleep_for(100 * MS);
    u64 const sent_while_stopped = stats(port).bytes_out - before.bytes_out;
    u64 const slept = tty_stats(tty).writer_sleeps - tty_before.writer_sleeps;
    dev::PollMask const ready = EXPECT_OK(tty.poll());
    u64 const switches_before = sched::switch_count(thread);
    EXPECT_OK(tty.ioctl(tty::TCXONC, tty::TCOON));
    for (int i = 0; i < 500 && !transfer.done; ++i)
        sched::sleep_for(MS);
    bool const finished = transfer.done;
    u64 const wakeups = sched::switch_count(thread) - switches_before;
    if (finished)
        (void)sched::join(thread);
    else
        sched::detach(thread);
    tty::TtyStats const tty_after = tty_stats(tty);
    ktest::note("12 KiB written: the writer slept %lu times and ran %lu times after output resumed; the "
                "driver called write_wakeup %lu times", tty_after.writer_sleeps - tty_before.writer_sleeps, wakeups,
                tty_after.write_wakeups - tty_before.write_wakeups);
    EXPECT_MSG(sent_while_stopped == 0, "output was suspended, yet %lu bytes went out: derive_ier() must leave "
               "THRE off while tx_stopped", sent_while_stopped);
    EXPECT_MSG(slept >= 1, "a 12 KiB write into a 4 KiB queue never slept for room (writer_sleeps did not grow)");
    EXPECT_MSG(!has(ready, dev::PollMask::Writable), "poll() said Writable while the queue was full");
    EXPECT_MSG(finished, "the 12 KiB write did not finish within 5 s after output resumed: is the writer woken "
               "(write_wakeup) when the queue drains?");
    EXPECT_MSG(transfer.error == 0, "the write or drain failed with %s", kstd::errno_name(transfer.error));
    EXPECT_MSG(wakeups <= 40, "the sleeping writer was woken %lu times while 12 KiB went out: wake writers when "
               "the queue drains below its low-water mark (or empties), not for every refill", wakeups);
    EXPECT_EQ(stats(port).bytes_out - before.bytes_out, sizeof(big));
    return {};
}

}

// A reader sleeps until data comes (and is not woken before); a nonblocking read answers EAGAIN;
// a timed read ETIMEDOUT; a writer whose queue is full sleeps, and is woken once the queue has
// drained below its low-water mark, not for every byte.
KTEST(uart_irq_blocking, 2)
{
    Port* port = TRY(com1_in_mode(Mode::Irq));
    auto tty = EXPECT_OK(open_ttyS0(20 * MS));
    {
        Loopback loop(*port);
        u8 buffer[8];
        tty->set_nonblocking(true);
        EXPECT_ERROR(tty->read(buffer), EAGAIN);
        tty->set_nonblocking(false);
        u64 const start = time::now_ns();
        EXPECT_ERROR(tty->read(buffer), ETIMEDOUT);
        u64 const waited = time::now_ns() - start;
        EXPECT_MSG(waited >= 20 * MS && waited < 1000 * MS, "a read with a 20 ms timeout returned after %lu us",
                   waited / 1000);
        TRY(check_blocked_reader(*tty, *port));
    }

    TRY(check_blocked_writer(*tty, *port));
    return {};
}

// The receive FIFO holds 16 bytes. With the receiver held (as when the TTY throttles the
// driver), 24 bytes in loopback overrun it: the top half must count the overrun (LSR.OE), poll()
// must report Error until a read, the first 16 bytes must still arrive, and the driver reports
// the loss.
KTEST(uart_irq_overrun, 2)
{
    Port* port = TRY(com1_in_mode(Mode::Irq));
    auto tty = EXPECT_OK(open_ttyS0(500 * MS));
    u8 out[24];
    for (usize i = 0; i < sizeof(out); ++i)
        out[i] = u8('A' + i);
    u8 in[24] = {};
    usize got = 0;
    Stats s;
    dev::PollMask before_read = dev::PollMask::None, after_read = dev::PollMask::None;
    {
        Loopback loop(*port);
        EXPECT_OK(ioctl(*port, IOCTL_RESET_STATS));
        set_rx_throttled(*port, true);
        auto sent = write_and_drain(*tty, *port, out, "24 bytes in loopback");
        sched::sleep_for(5 * MS);
        set_rx_throttled(*port, false);
        TRY(kstd::move(sent));
        sched::sleep_for(20 * MS);   // the bytes reach the line discipline
        before_read = EXPECT_OK(tty->poll());
        got = uart_test::read_exactly(*tty, in, 16);
        after_read = EXPECT_OK(tty->poll());
        tty->set_timeout_ns(50 * MS);
        u8 extra;
        auto more = tty->read({ &extra, 1 });
        EXPECT_MSG(more.is_error(), "more than 16 bytes came back although the FIFO holds 16");
        s = stats(*port);
    }
    EXPECT_MSG(got == 16, "%zu bytes came back after the receiver was released, expected the FIFO's 16", got);
    EXPECT_MSG(memcmp(in, out, 16) == 0, "the bytes that came back are not the first 16 sent");
    EXPECT_MSG(s.overruns >= 1, "the receive FIFO overran but the driver counted %lu overruns: the top half must "
               "look at every LSR value it reads (note_line_status)", s.overruns);
    EXPECT_MSG(has(before_read, dev::PollMask::Error), "after an overrun, poll() must report Error until a read "
               "(it reported %#x)", unsigned(before_read));
    EXPECT_MSG(!has(after_read, dev::PollMask::Error), "poll() still reports Error after the data was read");
    ktest::note("%lu overrun(s) counted, %lu receive interrupts", s.overruns, s.rx_interrupts);
    return {};
}

// The same port through a File (/dev/ttyS0): nonblocking and timed reads, ioctls, and a closed
// file.
KTEST(uart_irq_files_and_ioctls, 2)
{
    Port* port = TRY(com1_in_mode(Mode::Irq));
    Loopback loop(*port);
    auto file = EXPECT_OK(open_ttyS0(20 * MS));
    file->set_nonblocking(true);
    u8 buffer[4];
    EXPECT_ERROR(file->read(buffer), EAGAIN);
    file->set_nonblocking(false);
    EXPECT_ERROR(file->read(buffer), ETIMEDOUT);
    EXPECT_ERROR(file->ioctl(dev::ioctl_code('U', 0x77)), ENOTTY);
    EXPECT_ERROR(ioctl(*port, 0x12345678, 0), ENOTTY);
    Stats s {};
    EXPECT_OK(file->ioctl(IOCTL_GET_STATS, uptr(&s)));
    EXPECT_EQ(EXPECT_OK(file->ioctl(IOCTL_GET_MODE)), u64(Mode::Irq));
    EXPECT_OK(file->close());
    EXPECT_ERROR(file->read(buffer), EBADF);
    EXPECT_ERROR(file->write(text("x")), EBADF);
    return {};
}
