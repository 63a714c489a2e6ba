#pragma once
// Kernel logging. Every line goes to the diagnostic channel (QEMU debug console) and to the
// registered consoles (the early serial console at boot; later the TTYs).
#include <kstd/types.h>

enum class LogLevel : u8 { Debug = 0, Info = 1, Warn = 2, Error = 3 };

// Printf-style log line with a level prefix ("[warn] "). Lines below the threshold set with
// `loglevel=` are dropped. Context: any (interrupts are masked while a line is emitted).
void printk(LogLevel level, char const* fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_debug(...) printk(LogLevel::Debug, __VA_ARGS__)
#define log_info(...) printk(LogLevel::Info, __VA_ARGS__)
#define log_warn(...) printk(LogLevel::Warn, __VA_ARGS__)
#define log_error(...) printk(LogLevel::Error, __VA_ARGS__)

// Unconditional output without a prefix (monitor replies, panic reports). Context: any.
void kprint(char const* fmt, ...) __attribute__((format(printf, 1, 2)));
void kprint_raw(char const* data, usize length);

// Output to the diagnostic channel only (test protocol lines). Context: any.
void diag_print(char const* fmt, ...) __attribute__((format(printf, 1, 2)));

void set_log_level(LogLevel level);
LogLevel log_level();
// Parses "debug", "info", "warn", "error"; returns false for anything else.
bool parse_log_level(char const* text, LogLevel* out);

// A console receives every printk/kprint byte (e.g. the serial console, later tty0).
struct ConsoleSink {
    char const* name;
    void (*write)(char const* data, usize length);
    ConsoleSink* next;
};
void register_console(ConsoleSink& sink);
void unregister_console(ConsoleSink& sink);
// Turns the diagnostic channel's mirroring of console output on or off (always on by default).
void set_console_mirrored_to_diag(bool on);

// A thread's replies (kprint, kprint_raw) may go to a sink of its own instead of the consoles:
// the monitor, reading a TTY, answers through that TTY (kernel/monitor/console_input.cpp), so in
// uart.mode=irq its replies go through the driver's TX queue and THRE interrupts like any
// program's output. Log lines (printk) still go to the consoles, and so does a reply made where
// the sink could not sleep (interrupts off, a top half, a tasklet). Both are still mirrored to
// the diagnostic channel. nullptr: replies go to the consoles again. Context: thread.
void set_reply_sink(ConsoleSink* sink);
