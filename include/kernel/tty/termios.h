#pragma once
// The TTY's settings (a termios subset) and the ioctls that read and change them. Portable: the
// line discipline (kernel/tty/ldisc.h) uses it in the host tests too. See include/kernel/tty/tty.h.
#include <kstd/types.h>

namespace tty {

// A termios-like subset, read and set with the TCGETS/TCSETS ioctls below.
struct Termios {
    bool canonical { true };    // ICANON: line editing, whole lines to the reader
    bool echo { true };         // ECHO
    bool echo_erase { true };   // ECHOE: erase with "\b \b"
    bool crnl { true };         // ICRNL: a received CR ends a line like LF
    bool onlcr { true };        // ONLCR: output LF as CR LF
    u8 erase { 0x7F };          // VERASE (0x08 is accepted too)
    u8 kill { 0x15 };           // VKILL, ^U: erase the line
    u8 word_erase { 0x17 };     // VWERASE, ^W: erase the last word
    u8 eof { 0x04 };            // VEOF, ^D: end of file on an empty line
};

// The argument is a Termios* (kernel memory). EFAULT for a null pointer.
inline constexpr u32 TCGETS = 0x5401;
inline constexpr u32 TCSETS = 0x5402;
// Waits until everything written so far has left the driver's queue (tcdrain). No argument.
inline constexpr u32 TCDRAIN = 0x5409;

// Raw mode as a program wants it for single keys: no editing, no echo, CR and LF as typed;
// output processing (ONLCR) stays on. (cfmakeraw without the output part.)
constexpr Termios raw_termios()
{
    Termios t;
    t.canonical = false;
    t.echo = false;
    t.crnl = false;
    return t;
}

// Suspends or restarts output (tcflow): the argument is TCOOFF or TCOON. While output is off
// the driver keeps what it has queued and takes no more; writers wait. EINVAL for others.
inline constexpr u32 TCXONC = 0x540A;
inline constexpr uptr TCOOFF = 0;
inline constexpr uptr TCOON = 1;

// Output flow: a writer is woken, and poll() says Writable, once the driver's output queue
// holds fewer than LOW_WATER bytes; a driver calls TtyPort::write_wakeup() when it drains below.
inline constexpr usize LOW_WATER = 256;

}
