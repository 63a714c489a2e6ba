#pragma once
// The 8042 keyboard controller and the PS/2 keyboard behind it.
// Sources: IBM Personal Computer AT Technical Reference (1984), "Keyboard Controller" (status
// register, commands 20h/60h/D2h, the command byte) and "Keyboard" (commands EDh and the FAh/FEh
// replies, scan code set 1); the OSDev wiki's "8042 PS/2 Controller" and "PS/2 Keyboard" pages
// describe the same more readably.
//
// Two one-byte ports: 0x60 is the data port (read: a byte from the keyboard; write: a byte to
// the keyboard, or the argument of a controller command), 0x64 is the status register when
// read and the controller's command register when written. The controller "translates" the
// keyboard's scan code set 2 into the PC/XT's set 1 when bit 6 of its command byte is set,
// which GRUB leaves on (QEMU: command byte 0x61), so the driver sees set 1.
#include <kernel/io/window.h>
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace ps2kbd {

namespace i8042 {

// Status register (port 0x64, read).
enum class Status : u8 {
    None = 0,
    OutputFull = 1 << 0,   // a byte waits in the output buffer (port 0x60)
    InputFull = 1 << 1,    // the controller has not yet taken the last byte written to us
    System = 1 << 2,
    CommandData = 1 << 3,  // the last write went to 0x64 (command), not 0x60 (data)
    Inhibit = 1 << 4,      // keyboard inhibited (keylock)
    AuxData = 1 << 5,      // the waiting byte is from the mouse (the second PS/2 port)
    Timeout = 1 << 6,
    ParityError = 1 << 7,
};
ENUM_BITMASK(Status)

// Controller commands (port 0x64, write).
enum class Command : u8 {
    ReadConfig = 0x20,            // the command byte appears in the output buffer
    WriteConfig = 0x60,           // the next byte written to 0x60 is the new command byte
    WriteKeyboardOutput = 0xD2,   // the next byte written to 0x60 is delivered as if the keyboard sent it
};

// The controller's command byte ("configuration byte").
enum class Config : u8 {
    None = 0,
    KeyboardInterrupt = 1 << 0,   // IRQ 1 when a keyboard byte arrives
    AuxInterrupt = 1 << 1,        // IRQ 12 when a mouse byte arrives
    System = 1 << 2,
    KeyboardClockOff = 1 << 4,
    AuxClockOff = 1 << 5,
    Translate = 1 << 6,           // set 2 -> set 1 translation
};
ENUM_BITMASK(Config)

namespace regs {
// The driver holds two windows, one per port ("data" 0x60 and "cmd" 0x64 on the platform bus).
inline constexpr io::Reg<u8, 0> data {};          // data window
inline constexpr io::Reg<Status, 0> status {};    // command window, read
inline constexpr io::Reg<Command, 0> command {};  // command window, write
}

}

namespace keyboard {

// Commands to the keyboard itself, written to the data port; each is answered with ACK.
enum class Command : u8 {
    SetLeds = 0xED,   // followed by one byte of Led bits, which is ACKed too
};

// LED bits for SetLeds.
enum class Led : u8 {
    None = 0,
    ScrollLock = 1 << 0,
    NumLock = 1 << 1,
    CapsLock = 1 << 2,
};
ENUM_BITMASK(Led)

// What the keyboard answers (these arrive through the output buffer and IRQ 1 like keys).
inline constexpr u8 ACK = 0xFA;
inline constexpr u8 RESEND = 0xFE;     // "say that again"
inline constexpr u8 ECHO = 0xEE;
inline constexpr u8 ERROR = 0xFF;      // key detection error / buffer overrun
inline constexpr u8 ERROR_ZERO = 0x00; // the same in set 1

}

// Scan code set 1 (what the controller delivers with translation on). A key sends its make code
// when pressed and its break code (make | 0x80) when released; keys added after the PC/XT send
// 0xE0 first. Keys not listed are found through the keymaps in keymap.cpp.
namespace set1 {
inline constexpr u8 EXTENDED = 0xE0;   // the next code is an extended key
inline constexpr u8 BREAK = 0x80;      // bit set in a break (release) code

inline constexpr u8 ESCAPE = 0x01;
inline constexpr u8 BACKSPACE = 0x0E;
inline constexpr u8 TAB = 0x0F;
inline constexpr u8 ENTER = 0x1C;      // E0 1C: keypad Enter
inline constexpr u8 CTRL = 0x1D;       // E0 1D: right Ctrl
inline constexpr u8 LEFT_SHIFT = 0x2A;
inline constexpr u8 RIGHT_SHIFT = 0x36;
inline constexpr u8 ALT = 0x38;        // E0 38: right Alt
inline constexpr u8 CAPS_LOCK = 0x3A;
// Extended (E0-prefixed) cursor keys.
inline constexpr u8 HOME = 0x47;
inline constexpr u8 UP = 0x48;
inline constexpr u8 PAGE_UP = 0x49;
inline constexpr u8 LEFT = 0x4B;
inline constexpr u8 RIGHT = 0x4D;
inline constexpr u8 END = 0x4F;
inline constexpr u8 DOWN = 0x50;
inline constexpr u8 PAGE_DOWN = 0x51;
inline constexpr u8 INSERT = 0x52;
inline constexpr u8 DELETE = 0x53;
}

}
