// Lab 0 (tools): the tests `make grade LAB=0` runs. See lab/00-tools/README.md.
#include "../kernel/lab0.h"
#include <arch/platform.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

// --- capturing what a monitor command prints ------------------------------------------------
// Every kprint() byte goes to each registered console (include/kernel/printk.h), so a test can
// register one more console that keeps the bytes in a buffer while it runs a command.
struct Capture {
    static constexpr usize CAPACITY = 4096;
    char text[CAPACITY + 1];
    usize length;
    bool overflowed;
};
Capture g_capture;

void capture_write(char const* data, usize length)
{
    for (usize i = 0; i < length; ++i) {
        if (g_capture.length == Capture::CAPACITY) {
            g_capture.overflowed = true;
            return;
        }
        g_capture.text[g_capture.length++] = data[i];
    }
}

ConsoleSink g_capture_sink { "lab0-capture", capture_write, nullptr };

// Runs one monitor command line and returns what it printed (valid until the next call).
StringView run_command(char const* line, bool* known = nullptr)
{
    g_capture.length = 0;
    g_capture.overflowed = false;
    register_console(g_capture_sink);
    bool const was_known = monitor::execute(StringView(line));
    unregister_console(g_capture_sink);
    g_capture.text[g_capture.length] = '\0';
    if (known)
        *known = was_known;
    return StringView(g_capture.text, g_capture.length);
}

// For failure messages: the output on one line, newlines shown as \n, at most 60 characters.
char const* printable(StringView text)
{
    static char buffer[80];
    usize used = 0;
    usize i = 0;
    for (; i < text.length() && used + 6 < sizeof(buffer); ++i) {
        char c = text.characters()[i];
        if (c == '\n') {
            buffer[used++] = '\\';
            buffer[used++] = 'n';
        } else {
            buffer[used++] = (c >= ' ' && c < 0x7f) ? c : '?';
        }
    }
    if (i < text.length()) {
        buffer[used++] = '.';
        buffer[used++] = '.';
        buffer[used++] = '.';
    }
    buffer[used] = '\0';
    return buffer;
}

// Parses "up S.mmm s\n" into milliseconds; false if the text has any other form.
bool parse_uptime(StringView text, u64* ms)
{
    if (!text.starts_with(StringView("up ")) || !text.ends_with(StringView(" s\n")))
        return false;
    StringView number = text.substring(3, text.length() - 3 - 3);
    auto dot = number.find('.');
    if (!dot.has_value() || *dot == 0 || number.length() - *dot - 1 != 3)
        return false;
    for (usize i = 0; i < number.length(); ++i) {
        if (i != *dot && !kstd::is_digit(number.characters()[i]))
            return false;
    }
    auto seconds = kstd::parse_u64(number.substring(0, *dot), 10);
    auto millis = kstd::parse_u64(number.substring(*dot + 1), 10);
    if (seconds.is_error() || millis.is_error())
        return false;
    *ms = seconds.value() * 1000 + millis.value();
    return true;
}

}

// --- Exercise 1: the `uptime` monitor command -----------------------------------------------

KTEST(lab0_uptime_registered, 0)
{
    MonitorCommand const* command = monitor::find(StringView("uptime"));
    EXPECT_MSG(command != nullptr, "the monitor has no command named 'uptime' (exercise 1: "
               "define it with MONITOR_COMMAND in lab/00-tools/kernel/uptime.cpp)");
    EXPECT_MSG(command->help != nullptr && command->help[0] != '\0',
               "'uptime' has an empty help text: 'help' should say what it does");
    StringView help = run_command("help");
    EXPECT_MSG(help.find(StringView("uptime")).has_value(),
               "'help' does not list 'uptime'; it printed: %s", printable(help));
    return {};
}

KTEST(lab0_uptime_output, 0)
{
    EXPECT_MSG(monitor::find(StringView("uptime")) != nullptr,
               "the monitor has no command named 'uptime' (exercise 1)");
    // Twice, a little apart, so that a constant answer cannot pass.
    for (int attempt = 0; attempt < 2; ++attempt) {
        if (attempt == 1)
            time::busy_wait_ns(30 * time::NS_PER_MS);
        u64 const before_ms = time::now_ns() / time::NS_PER_MS;
        bool known = false;
        StringView out = run_command("uptime", &known);
        u64 const after_ms = time::now_ns() / time::NS_PER_MS;
        EXPECT_MSG(known, "monitor::execute(\"uptime\") reported an unknown command");
        u64 shown_ms = 0;
        EXPECT_MSG(parse_uptime(out, &shown_ms),
                   "expected exactly one line 'up S.mmm s' (three digits after the dot), "
                   "got '%s'", printable(out));
        // The value must lie between the clock readings taken just before and just after the
        // command (one extra millisecond allowed for rounding instead of truncating).
        EXPECT_MSG(shown_ms >= before_ms && shown_ms <= after_ms + 1,
                   "uptime printed %lu.%03lu s, but the clock read between %lu.%03lu s and "
                   "%lu.%03lu s (use time::now_ns())", shown_ms / 1000, shown_ms % 1000,
                   before_ms / 1000, before_ms % 1000, after_ms / 1000, after_ms % 1000);
    }
    return {};
}

// --- Exercise 2: read the backtrace, fix queued_bytes() --------------------------------------

KTEST(lab0_queued_bytes, 0)
{
    using lab0::Request, lab0::RequestQueue, lab0::queued_bytes;
    RequestQueue empty { nullptr, 0 };
    EXPECT_EQ(queued_bytes(empty), 0u);

    Request one { nullptr, 2048, 8 };
    RequestQueue single { &one, 1 };
    EXPECT_EQ(queued_bytes(single), 8u * 512);

    Request third { nullptr, 900, 3 };
    Request second { &third, 40, 2 };
    Request first { &second, 7, 1 };
    RequestQueue three { &first, 3 };
    EXPECT_EQ(queued_bytes(three), 6u * 512);
    return {};
}

// --- Exercise 3: the value only gdb can see ---------------------------------------------------
// The grader passes lab/00-tools/answers.toml to QEMU as the fw_cfg file
// opt/conduit/lab0-answers (see lab/00-tools/rubric.toml).

KTEST(lab0_gdb_secret, 0)
{
    // First, so that a breakpoint in secret_ready() is reached however the test was started.
    u64 const secret = lab0::reveal_secret();
    static u8 file[4096];
    auto size = arch::fw_cfg_read_file("opt/conduit/lab0-answers", file, sizeof(file) - 1);
    EXPECT_MSG(!size.is_error(), "QEMU was not given lab/00-tools/answers.toml (fw_cfg file "
               "opt/conduit/lab0-answers: %s); run this test with make grade TEST=lab0_gdb_secret",
               size.is_error() ? size.error().name() : "");
    StringView rest(reinterpret_cast<char const*>(file), size.value());
    Optional<u64> answer;
    while (auto line = rest.split_next('\n')) {
        StringView text = line->trim();
        if (auto hash = text.find('#'); hash.has_value())
            text = text.substring(0, *hash).trim();
        if (!text.starts_with(StringView("gdb_secret")))
            continue;
        auto equals = text.find('=');
        EXPECT_MSG(equals.has_value(), "answers.toml: expected 'gdb_secret = 0x...'");
        auto value = kstd::parse_u64(text.substring(*equals + 1).trim(), 0);
        EXPECT_MSG(!value.is_error(), "answers.toml: gdb_secret is not a number (write it like "
                   "0x1234abcd, as gdb's p/x prints it)");
        answer = value.value();
    }
    EXPECT_MSG(answer.has_value(), "answers.toml has no line 'gdb_secret = ...'");
    EXPECT_MSG(*answer != 0, "gdb_secret in lab/00-tools/answers.toml is still 0x0 (exercise 3)");
    // Do not print the secret itself: the message would give the answer away.
    EXPECT_MSG(*answer == secret, "gdb_secret = %#lx in lab/00-tools/answers.toml is not the "
               "value lab0::secret_ready() receives (exercise 3)", *answer);
    return {};
}
