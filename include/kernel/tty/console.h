#pragma once
// tty0, the PC console: a TTY whose port belongs to the TTY core itself (kernel/tty/console.cpp).
// Its input comes from a keyboard driver, which puts characters into the port's flip buffer and
// pushes (the PS/2 driver does, from its tasklet: lab 3); its output goes to a display, which a
// display driver attaches (the VGA text console). The keyboard and the display never talk to
// each other: both talk to the TTY core (docs/architecture.md, "The TTY").
//
// tty0 exists as soon as either side calls console_init(): without a keyboard it never has
// input, without a display its output goes nowhere, as on a headless PC.
#include <kernel/tty/tty.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace tty {

// A display for tty0's output: write() gets the bytes after output processing (ONLCR).
// Context of write(): thread (the TTY holds its output mutex).
class ConsoleDisplay {
public:
    virtual void write(kstd::Span<u8 const> bytes) = 0;

protected:
    ~ConsoleDisplay() = default;
};

// Registers /dev/tty0 (char 4:0) once; later calls do nothing. Drivers of either side call it
// from probe(). Errors: as register_tty. Context: thread.
[[nodiscard]] ErrorOr<void> console_init();
bool console_present();

// tty0's port, for the keyboard driver: receive() (or flip().insert() from a single producer)
// and push(). Valid for ever (the port is static), even before console_init().
TtyPort& console_port();

// The display (one at a time: attaching replaces the previous one). detach waits until no
// write is using the old one. Context: thread.
void console_attach_display(ConsoleDisplay& display);
void console_detach_display();

// Input for tty0 from anywhere else (tests, a second keyboard): receive() + push(). Returns
// how many bytes fit into the flip buffer (FlipBuffer::CAPACITY at most; the rest is counted as
// overflow). Context: any.
usize console_receive(kstd::Span<u8 const> bytes);
inline constexpr usize CONSOLE_INPUT_CAPACITY = FlipBuffer::CAPACITY;

struct ConsoleStats {
    u64 received;    // bytes that got into the flip buffer (through console_receive or a keyboard)
    u64 overflow;    // bytes that did not fit
    u64 displayed;   // bytes given to the display
};
ConsoleStats console_stats();

}
