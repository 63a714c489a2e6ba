#pragma once
// The 16550 serial driver's requests at the system-call interface: ioctl on /dev/ttyS0..3
// (the TTY passes what it does not know to the driver). Mirrors include/drivers/uart16550.h;
// tests/kernel/user_tty_tests.cpp checks at compile time that the two agree.
#include <kstd/types.h>
#include <uapi/ioctl.h>

namespace uapi {

struct SerialStats {
    u64 bytes_in, bytes_out, console_bytes;
    u64 interrupts, tx_interrupts, rx_interrupts;
    u64 overruns, parity_errors, framing_errors, breaks;
    u64 rx_throttles, polls;
};

enum class SerialMode : u32 { Poll = 0, Irq = 1 };

inline constexpr u32 SERIAL_GET_STATS = ioctl_read<SerialStats>('U', 1);   // argument: SerialStats*
inline constexpr u32 SERIAL_RESET_STATS = 0x5502;
inline constexpr u32 SERIAL_GET_MODE = 0x5503;       // returns SerialMode
inline constexpr u32 SERIAL_DRAIN = 0x5504;          // waits until everything written has left
inline constexpr u32 SERIAL_SET_LOOPBACK = 0x5505;   // argument: 0 or 1 (MCR.LOOP)

}
