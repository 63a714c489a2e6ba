// printk: formats into a line buffer, then hands the bytes to the diagnostic channel and to
// every registered console. Interrupts are masked while a line is written so that lines from
// an interrupt handler never tear lines of the thread it interrupted.
#include <arch/platform.h>
#include <kernel/printk.h>
#include <kernel/irq/irq.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/thread.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <stdarg.h>
#include <kstd/enforce.h>

namespace {

LogLevel g_threshold = LogLevel::Info;
ConsoleSink* g_consoles = nullptr;
bool g_mirror_to_diag = true;
ConsoleSink* g_reply_sink = nullptr;          // set_reply_sink(): replies of one thread
sched::Thread* g_reply_thread = nullptr;
constexpr usize LINE_CAPACITY = 512;

char const* level_prefix(LogLevel level)
{
    switch (level) {
    case LogLevel::Debug: return "[debug] ";
    case LogLevel::Info: return "";
    case LogLevel::Warn: return "[warn] ";
    case LogLevel::Error: return "[error] ";
    }
    return "";
}

void emit(char const* data, usize length)
{
    InterruptsDisabled guard;
    if (g_mirror_to_diag)
        arch::debugcon_write(data, length);
    for (ConsoleSink* sink = g_consoles; sink; sink = sink->next)
        sink->write(data, length);
}

// A reply goes to the replying thread's sink when it has one and may sleep there.
void emit_reply(char const* data, usize length)
{
    ConsoleSink* sink = g_reply_sink;
    if (!sink || g_reply_thread != sched::current() || irq::in_atomic()) {
        emit(data, length);
        return;
    }
    if (g_mirror_to_diag) {
        InterruptsDisabled guard;
        arch::debugcon_write(data, length);
    }
    sink->write(data, length);
}

usize format_line(char (&line)[LINE_CAPACITY], char const* prefix, char const* fmt, va_list args)
{
    usize used = kstd::copy_string(line, sizeof(line), prefix);
    int n = kstd::vsnprintf(line + used, sizeof(line) - used, fmt, args);
    return n < 0 ? used : kstd::min(used + usize(n), sizeof(line) - 1);
}

}

void printk(LogLevel level, char const* fmt, ...)
{
    if (level < g_threshold)
        return;
    char line[LINE_CAPACITY];
    va_list args;
    va_start(args, fmt);
    usize const length = format_line(line, level_prefix(level), fmt, args);
    va_end(args);
    emit(line, length);
}

void kprint(char const* fmt, ...)
{
    char line[LINE_CAPACITY];
    va_list args;
    va_start(args, fmt);
    usize const length = format_line(line, "", fmt, args);
    va_end(args);
    emit_reply(line, length);
}

void kprint_raw(char const* data, usize length) { emit_reply(data, length); }

void set_reply_sink(ConsoleSink* sink)
{
    InterruptsDisabled guard;
    g_reply_sink = sink;
    g_reply_thread = sink ? sched::current() : nullptr;
}

void diag_print(char const* fmt, ...)
{
    char line[LINE_CAPACITY];
    va_list args;
    va_start(args, fmt);
    int n = kstd::vsnprintf(line, sizeof(line), fmt, args);
    va_end(args);
    if (n < 0)
        return;
    // One piece, with interrupts off: a protocol line torn by an interrupt handler's output
    // would no longer be recognised by the grader.
    InterruptsDisabled guard;
    arch::debugcon_write(line, kstd::min(usize(n), sizeof(line) - 1));
}

void set_log_level(LogLevel level) { g_threshold = level; }
LogLevel log_level() { return g_threshold; }

bool parse_log_level(char const* text, LogLevel* out)
{
    static constexpr struct { char const* name; LogLevel level; } names[] = {
        { "debug", LogLevel::Debug }, { "info", LogLevel::Info },
        { "warn", LogLevel::Warn }, { "error", LogLevel::Error },
    };
    for (auto const& entry : names) {
        if (kstd::strcmp(text, entry.name) == 0) {
            *out = entry.level;
            return true;
        }
    }
    return false;
}

void register_console(ConsoleSink& sink)
{
    InterruptsDisabled guard;
    sink.next = g_consoles;
    g_consoles = &sink;
}

void unregister_console(ConsoleSink& sink)
{
    InterruptsDisabled guard;
    for (ConsoleSink** link = &g_consoles; *link; link = &(*link)->next) {
        if (*link == &sink) {
            *link = sink.next;
            return;
        }
    }
}

void set_console_mirrored_to_diag(bool on) { g_mirror_to_diag = on; }
