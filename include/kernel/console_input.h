#pragma once
// Console input for the monitor. Where it comes from is chosen on the kernel command line:
//
//   (no monitor= word)   the early serial console: COM1 polled by arch/, as before any driver
//   monitor=tty0         /dev/tty0: the PS/2 keyboard; the monitor's output reaches the VGA
//                        screen because the text console is a printk console
//   monitor=ttyS0        /dev/ttyS0 (ttyS1..3 likewise): the 16550 driver's TTY
//
// Until the named TTY is registered, input comes from the early serial console (and the TTY is
// looked for again every 100 ms), so the monitor works before, and without, the driver.
//
// The monitor edits its lines itself (kernel/monitor/monitor.cpp: backspace, ^U, ^C) and echoes
// through printk, which reaches every console. So that exactly one line editor runs, the TTY is
// switched to raw mode without echo while read_char() waits, and its settings are put back
// before read_char() returns: a test started from the monitor finds the TTY as it expects.
namespace console_input {

// Blocks until a byte arrives. Context: thread.
char read_char();

// The TTY the command line names ("tty0", "ttyS0"), or "" for the early serial console.
// Context: thread.
char const* requested_source();
// Where read_char() reads now: "/dev/tty0" once that is open, else "early serial".
char const* active_source();

}
