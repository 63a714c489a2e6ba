#pragma once
// VGA registers the text console uses. Sources: IBM VGA Technical Reference (1992), "CRT
// Controller Registers" (indexes 0Ah, 0Bh, 0Eh, 0Fh) and "Video Memory Organization" for the
// text buffer; FreeVGA's CRTC pages say the same more readably.
//
// Colour text mode (mode 3, what GRUB leaves): the text buffer is 80x25 cells of 2 bytes at
// physical 0xB8000 (character, then attribute: bits 0-3 foreground, 4-6 background, 7 blink);
// the CRT controller is reached through an index port (0x3D4) and a data port (0x3D5). A
// monochrome adapter would use 0xB0000 and 0x3B4 instead (not supported).
#include <kernel/io/window.h>
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace vgacon::hw {

inline constexpr u64 TEXT_BUFFER_PHYS = 0xB8000;
inline constexpr u16 CRTC_PORT_BASE = 0x3D4;
inline constexpr u16 CRTC_PORT_COUNT = 2;

namespace regs {
inline constexpr io::Reg<u8, 0> crtc_index {};
inline constexpr io::Reg<u8, 1> crtc_data {};
}

// CRTC register indexes.
enum class Crtc : u8 {
    CursorStart = 0x0A,          // bit 5: cursor off; bits 0-4: first scan line of the cursor
    CursorEnd = 0x0B,
    CursorLocationHigh = 0x0E,   // cell index row * 80 + column, high byte
    CursorLocationLow = 0x0F,
};

inline constexpr u8 CURSOR_DISABLE = 1 << 5;

// The multiboot2 framebuffer tag's type for EGA text (Multiboot2 specification, section 3.6.12).
inline constexpr u8 MULTIBOOT_FRAMEBUFFER_EGA_TEXT = 2;

// PCI class 03h subclass 00h: VGA-compatible display controller (PCI Code and ID Assignment
// Specification, section 1.4). Such a function decodes the legacy VGA ranges.
inline constexpr u32 PCI_CLASS_VGA = 0x030000;

}
