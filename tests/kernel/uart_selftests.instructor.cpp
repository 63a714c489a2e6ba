// Grader self-tests for the UART mechanism checks of labs 1 and 2 (instructor-only: this file
// never reaches a handout). Each boots with `selftest.wrong=NAME`, which makes the driver use a
// purpose-made wrong mode (drivers/char/uart16550/selftest.instructor.cpp) that no check inside
// the guest can see, and then does exactly what the lab test does, so every in-guest check
// passes. Their entries in tests/kernel/rubric.toml repeat the lab test's host-side checks word
// for word with expect_outcome = "fail": they pass when the lab's check fails with its own
// message, naming the wrong mechanism.
//   selftest_uart_secret_poll    lab 2's uart_irq_tx_64k, selftest.wrong=uart_secret_poll
//   selftest_uart_poll_sets_ier  lab 1's uart_tx_buffer, selftest.wrong=uart_poll_sets_ier
#include <drivers/uart16550_testing.h>
#include <drivers/uart16550.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace {

using namespace uart16550;

// "BEGIN\n" and `count` bytes of the grader's sequence for `seed`, between trace marks.
ErrorOr<void> send_marked(Port& port, usize count, u32 seed)
{
    static u8 buffer[65536];
    EXPECT(count <= sizeof(buffer));
    uart_test::Xorshift32::fill(buffer, count, seed);
    auto tty = EXPECT_OK(uart_test::open_binary("ttyS0", 10 * time::NS_PER_S));
    Stats const before = stats(port);
    static constexpr u8 header[] = { 'B', 'E', 'G', 'I', 'N', '\n' };
    trace_mark(port, "tx-begin");
    EXPECT_OK(uart_test::write_all(*tty, header));
    EXPECT_OK(uart_test::write_all(*tty, { buffer, count }));
    EXPECT_OK(drain(port));
    trace_mark(port, "tx-end");
    Stats const after = stats(port);
    EXPECT_EQ(after.bytes_out - before.bytes_out, count + sizeof(header));
    if (mode(port) == Mode::Irq)
        EXPECT(after.tx_interrupts > before.tx_interrupts);   // faked: the in-guest check passes
    return {};
}

}

KTEST(selftest_uart_secret_poll, SELFTEST_SUITE)
{
    Port* port = TRY(uart_test::com1_in_mode(Mode::Irq));   // the wrong mode claims to be irq
    return send_marked(*port, 65536, 7);
}

KTEST(selftest_uart_poll_sets_ier, SELFTEST_SUITE)
{
    Port* port = TRY(uart_test::com1_in_mode(Mode::Poll));
    // The wrong IER write happened at probe, after the lab's trace window opened ('^mm: ').
    return send_marked(*port, 8192, 1234);
}
