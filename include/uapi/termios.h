#pragma once
// The TTY settings at the system-call interface (TCGETS/TCSETS). The layout is the kernel
// TTY layer's tty::Termios (include/kernel/tty/termios.h); kernel/syscall checks at compile time that
// the two agree.
#include <kstd/types.h>

namespace uapi {

struct Termios {
    bool canonical;    // ICANON: line editing, whole lines to the reader
    bool echo;         // ECHO
    bool echo_erase;   // ECHOE
    bool crnl;         // ICRNL
    bool onlcr;        // ONLCR
    u8 erase;          // VERASE
    u8 kill;           // VKILL
    u8 word_erase;     // VWERASE
    u8 eof;            // VEOF
};

inline constexpr u32 TCGETS = 0x5401;
inline constexpr u32 TCSETS = 0x5402;

}
