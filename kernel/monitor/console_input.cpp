// Console input for the monitor (include/kernel/console_input.h): the early serial console, or a
// TTY named by `monitor=` once it exists. Polling the early serial port uses `pause` to keep the
// busy wait friendly to the emulator.
//
// Once the TTY is open the early serial port is no longer polled: with monitor=ttyS0 the UART
// driver owns COM1, and polling it behind the driver's back would steal its bytes. The monitor
// then also answers through that TTY (set_reply_sink, include/kernel/printk.h): its prompt, its
// echo and its commands' output are written to /dev/ttyS0 like a program's, so in
// uart.mode=irq they go through the driver's TX queue and THRE interrupts, and `uart` shows
// tx-irqs growing. Log lines still go to the kernel console (synchronous, polled).
#include <arch/platform.h>
#include <kernel/sched/sync.h>
#include <kernel/tty/tty.h>
#include <kernel/console_input.h>
#include <kernel/dev/devfs.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/format.h>
#include <kstd/optional.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>
#include <kstd/enforce.h>

namespace console_input {

namespace {

constexpr u64 RETRY_NS = 100 * time::NS_PER_MS;
constexpr usize NAME_CAPACITY = 16;

bool g_parsed = false;
char g_requested[NAME_CAPACITY] = "";   // "" = early serial
char g_path[NAME_CAPACITY + 5] = "";
OwnPtr<dev::File> g_tty;                // the open TTY, or null
u64 g_next_attempt_ns = 0;

// tty0 or ttyS0..ttyS3: the consoles the kernel has.
bool is_console_name(StringView name)
{
    if (name == StringView("tty0"))
        return true;
    return name.length() == 5 && name.starts_with(StringView("ttyS")) && name[4] >= '0' && name[4] <= '3';
}

void parse_command_line()
{
    if (g_parsed)
        return;
    g_parsed = true;
    auto word = kernel_cmdline().get(StringView("monitor"));
    if (!word.has_value()) {
        // With the UART driver in interrupt mode its top half drains COM1's receiver; polling the
        // same port here would race it. Read through the driver's TTY instead.
        auto uart_mode = kernel_cmdline().get(StringView("uart.mode"));
        if (!uart_mode.has_value() || !(*uart_mode == StringView("irq")))
            return;
        word = StringView("ttyS0");
    }
    if (!is_console_name(*word)) {
        log_warn("monitor=%.*s: expected tty0 or ttyS0..ttyS3; the monitor reads the early serial console\n",
                 int(word->length()), word->characters());
        return;
    }
    kstd::copy_string(g_requested, sizeof(g_requested), *word);
    kstd::snprintf(g_path, sizeof(g_path), "/dev/%s", g_requested);
}

void tty_close(Error why);

// The monitor's replies, written to its TTY. Context: the monitor's thread, interrupts on.
void write_reply(char const* data, usize length)
{
    if (!g_tty)
        return;
    auto written = g_tty->write(ReadonlyBytes(reinterpret_cast<u8 const*>(data), length));
    if (written.is_error())
        tty_close(written.error());
}

ConsoleSink g_reply_sink { "monitor replies", write_reply, nullptr };

bool tty_open()
{
    if (g_tty)
        return true;
    if (!g_requested[0] || time::now_ns() < g_next_attempt_ns)
        return false;
    g_next_attempt_ns = sched::deadline_after(RETRY_NS);
    auto file = devfs::open(StringView(g_path), dev::OpenFlags::ReadWrite);
    if (file.is_error())
        return false;
    g_tty = file.release_value();
    set_reply_sink(&g_reply_sink);
    log_debug("monitor: reading %s\n", g_path);   // (after the prompt: info would split its line)
    return true;
}

void tty_close(Error why)
{
    set_reply_sink(nullptr);
    log_warn("monitor: %s failed (%s); back to the early serial console\n", g_path, why.name());
    g_tty = nullptr;
}

// One byte from the TTY in raw mode, its settings restored afterwards. A character device that
// is not a TTY (no TCGETS: ENOTTY) has no line discipline to switch off and is read as it is.
Optional<char> tty_read()
{
    tty::Termios saved;
    bool is_tty = true;
    if (auto got = g_tty->ioctl(tty::TCGETS, uptr(&saved)); got.is_error()) {
        if (got.error().code() != ENOTTY) {
            tty_close(got.error());
            return kstd::nullopt;
        }
        is_tty = false;
    }
    if (is_tty) {
        tty::Termios raw = tty::raw_termios();
        raw.onlcr = saved.onlcr;
        (void)g_tty->ioctl(tty::TCSETS, uptr(&raw));
    }
    u8 byte = 0;
    auto got = g_tty->read(Bytes(&byte, 1));
    if (is_tty)
        (void)g_tty->ioctl(tty::TCSETS, uptr(&saved));
    if (got.is_error()) {
        tty_close(got.error());
        return kstd::nullopt;
    }
    if (got.value() == 0)
        return kstd::nullopt;
    return char(byte);
}

}

char read_char()
{
    parse_command_line();
    for (;;) {
        if (tty_open()) {
            if (auto c = tty_read(); c.has_value())
                return *c;
            continue;
        }
        int byte = arch::early_serial_try_read();
        if (byte >= 0)
            return char(byte);
        arch::cpu_relax();
    }
}

char const* requested_source()
{
    parse_command_line();
    return g_requested;
}

char const* active_source() { return g_tty ? g_path : "early serial"; }

}
