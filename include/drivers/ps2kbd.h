#pragma once
// The PS/2 keyboard driver (drivers/char/ps2kbd), as the rest of the kernel and the tests see it.
//
// The driver binds to the platform device i8042.0. Its top half (IRQ 1) takes one scan code
// from the 8042 controller and queues it; a tasklet translates the queued codes (scan code set
// 1, with Shift, Caps Lock and Ctrl) into characters for tty0 (include/kernel/tty/console.h); a work
// item sets the Caps Lock LED, because that needs a sleeping wait for the keyboard's answer.
//
// Characters: letters, digits and punctuation per the US layout; Enter '\r' (tty0's ICRNL makes
// it '\n'); Backspace 0x7F; Tab '\t'; Esc 0x1B; Ctrl+letter 0x01-0x1A; cursor keys and friends
// as ANSI sequences (Up ESC [ A, Down ESC [ B, Right ESC [ C, Left ESC [ D, Home ESC [ H,
// End ESC [ F, Insert/Delete/PgUp/PgDn ESC [ 2/3/5/6 ~). Not modelled: Alt, Num Lock (the keypad
// always types digits), Scroll Lock, function keys, Pause, other layouts.
#include <kernel/irq/irqchip.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace ps2kbd {

// Counters the driver keeps around the top half, the bottom half and the LED work item, so
// that tests can check what ran where. They only grow.
struct Stats {
    u64 interrupts;                  // top-half calls (IRQ 1)
    u64 claimed;                     // of those, answered Handled
    u64 scancodes_queued;            // bytes the top half left in the scan-code ring
    u64 tasklet_scheduled;           // top-half calls that left the tasklet pending
    u64 bottom_half_runs;            // tasklet runs
    u64 bottom_half_in_softirq;      // ... in softirq context (in_softirq() and not in_irq())
    u64 bottom_half_in_top_half;     // ... inside a top half: a bug, must stay 0
    u64 bottom_half_interrupts_on;   // ... with interrupts enabled
    u64 characters;                  // bytes given to tty0
    u64 characters_in_softirq;
    u64 characters_in_irq;           // translated inside a top half: a bug, must stay 0
    u64 characters_in_thread;
    u64 replies;                     // ACK / RESEND bytes from the keyboard
    u64 bytes_sent;                  // bytes written to the keyboard
    u64 led_updates;                 // SetLeds commands the keyboard accepted (both bytes ACKed)
    u64 led_failures;                // LED updates that failed (logged)
    u64 reply_timeouts;
    u8 leds;                         // the LED byte last accepted (bit 2: Caps Lock)
};

// Whether the driver is bound to i8042.0; a snapshot of its counters (taken with interrupts
// off); the IRQ line IRQ 1 arrives on (0 without a keyboard); the 8042 command byte as the driver
// set it at probe; the driver's Caps Lock state. Context: any. Locking: none.
bool is_present();
Stats stats();
irq::IrqLine irq_line();
u8 controller_config();
bool caps_lock();

// For tests: makes the 8042 deliver `codes` one by one as if the keyboard had sent them
// (controller command D2h, "write keyboard output buffer"), so each goes through IRQ 1, the top
// half and the tasklet like a real key. Before each byte, and after the last, it waits until
// the output buffer is empty, i.e. the top half has read the previous one.
// Errors: ENODEV (no keyboard); ETIMEDOUT (a byte was not read within a second: the top half does
// not read the data port). Context: thread. Locking: the controller mutex.
[[nodiscard]] ErrorOr<void> inject_for_test(kstd::Span<u8 const> codes);

}
