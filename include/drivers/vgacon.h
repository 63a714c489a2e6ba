#pragma once
// The VGA text console (drivers/char/vgacon): the 80x25 colour text screen that GRUB leaves
// behind, with a cursor, scrolling and a subset of ANSI (ECMA-48) escape sequences. It is the
// output side of tty0 (include/kernel/tty/console.h) and a printk console, so kernel log lines appear
// on the screen too.
//
// Escape sequences understood (n defaults to 1, row/column count from 1):
//   CSI n A / B / C / D     cursor up / down / forward / back, stopping at the edges
//   CSI n E / F             down / up n lines, to column 1
//   CSI n G, CSI n d        column n, row n
//   CSI row ; col H (or f)  cursor position (CSI H: home)
//   CSI n J                 erase: 0 cursor to end of screen, 1 start to cursor, 2 (or 3) all
//   CSI n K                 erase in line: 0 cursor to end, 1 start to cursor, 2 whole line
//   CSI ... m               SGR: 0 reset, 1 bold (bright foreground), 5 blink, 7 reverse,
//                           22/25/27 their opposites, 30-37 / 90-97 foreground, 39 default,
//                           40-47 background, 49 default
//   CSI s / CSI u, ESC 7 / ESC 8   save / restore the cursor (and, for ESC 7/8, the colours)
//   CSI ? 25 h / l          show / hide the cursor
//   ESC c                   reset (clear, home, default colours);  ESC D / ESC M / ESC E: index,
//                           reverse index, next line
// Control characters: CR, LF (down one line only: ONLCR is the TTY's job), BS (back one column,
// not erasing), TAB (to the next multiple of 8), VT and FF (as LF); others are ignored.
// Writing in the last column leaves a wrap pending (VT100 style): the next printable character
// starts a new line, so an 80-character line followed by CR LF does not leave an empty row.
// Bytes 0x80-0xFF are shown as code page 437 glyphs (no UTF-8 decoding).
#include <kstd/span.h>
#include <kstd/types.h>

namespace vgacon {

inline constexpr u32 COLUMNS = 80;
inline constexpr u32 ROWS = 25;
inline constexpr u8 DEFAULT_ATTRIBUTE = 0x07;   // light grey on black

struct Position {
    u32 row;
    u32 column;
};

struct Stats {
    u64 bytes;           // bytes written (tty0 and printk)
    u64 log_bytes;       // of those, from printk
    u64 log_skipped;     // printk bytes dropped because the screen was being written (a fault inside vgacon)
    u64 scrolls;
    u64 cells_written;   // 16-bit stores to video memory
};

// Whether the driver found a VGA in text mode (a PCI VGA-compatible function, and the boot
// loader's framebuffer tag says EGA text 80x25). Context: any.
bool is_present();

// Writes through the terminal emulator and updates the screen and the hardware cursor.
// Does nothing without a console. Context: any. Locking: the console's IRQ-safe spinlock.
void write(kstd::Span<u8 const> bytes);

// What video memory holds at (row, column): the character in the low byte, the attribute in the
// high byte. Read from the text buffer itself, not from the driver's copy. Context: thread.
u16 read_cell(u32 row, u32 column);
// The hardware cursor, read back from the CRTC cursor location registers. Context: thread.
Position cursor();
bool cursor_visible();
Stats stats();

}
