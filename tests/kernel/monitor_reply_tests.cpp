// The monitor answers through the TTY it reads (include/kernel/printk.h, set_reply_sink;
// kernel/monitor/console_input.cpp): in uart.mode=irq a reply goes through the UART driver's TX
// queue and THRE interrupts, like a program's output, not through the polled kernel console.
// Lab 2's "by hand" part relies on it: typing `uart` at the monitor shows tx-irqs growing.
#include <drivers/uart16550_testing.h>
#include <drivers/uart16550.h>
#include <kernel/dev/file.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

dev::File* g_reply_file = nullptr;

void write_to_file(char const* data, usize length)
{
    (void)g_reply_file->write(ReadonlyBytes(reinterpret_cast<u8 const*>(data), length));
}

ConsoleSink g_sink { "test replies", write_to_file, nullptr };

}

KTEST(monitor_replies_through_tty, CORE_SUITE)
{
    using namespace uart16550;
    Port* port = TRY(uart_test::com1_in_mode(Mode::Irq));
    auto tty = EXPECT_OK(uart_test::open_binary("ttyS0", time::NS_PER_S));
    g_reply_file = tty.ptr();
    Stats const before = stats(*port);
    set_reply_sink(&g_sink);
    kprint("a reply of %d bytes\n", 20);
    kprint_raw("ok\n", 3);
    set_reply_sink(nullptr);
    EXPECT_OK(drain(*port));
    kprint("(and this line is not a reply)\n");
    Stats const after = stats(*port);
    g_reply_file = nullptr;
    u64 const expected = sizeof("a reply of 20 bytes\n") - 1 + 3;
    EXPECT_MSG(after.bytes_out - before.bytes_out == expected, "the replies should leave through the TTY's write() "
               "(%lu bytes), %lu did", expected, after.bytes_out - before.bytes_out);
    EXPECT_MSG(after.tx_interrupts > before.tx_interrupts, "the replies went out without a THRE interrupt");
    EXPECT_MSG(after.console_bytes == before.console_bytes, "%lu bytes went out through the polled kernel console "
               "(console=debugcon: none should)", after.console_bytes - before.console_bytes);
    return {};
}
