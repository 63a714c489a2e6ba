#pragma once
// The 8254 programmable interval timer (pit.cpp). Intel 8254 datasheet (order no. 231164):
// "Control Word Format" (Figure 8) and "Modes of Operation" (mode 0: interrupt on terminal
// count; mode 2: rate generator). On the PC the input clock is 1.193182 MHz; channel 0 drives
// ISA IRQ 0, channel 2's gate and output are bits 0 and 5 of port 0x61 (Intel 82371SB PIIX3
// datasheet, "NMI Status and Control Register", port 61h).
#include <kstd/error.h>
#include <kstd/types.h>

namespace arch::pit {

inline constexpr u32 INPUT_HZ = 1193182;

inline constexpr u16 CHANNEL0_DATA = 0x40, CHANNEL2_DATA = 0x42, COMMAND = 0x43;
inline constexpr u16 PORT_B = 0x61;
inline constexpr u8 PORT_B_GATE2 = 1 << 0;      // channel 2 gate (counting enabled)
inline constexpr u8 PORT_B_SPEAKER = 1 << 1;    // speaker data enable: kept off
inline constexpr u8 PORT_B_OUT2 = 1 << 5;       // channel 2 output (read-only)

// Control word: bits 7-6 channel, 5-4 access (11 = low byte then high byte), 3-1 mode, 0 BCD.
inline constexpr u8 CW_CHANNEL0 = 0b00 << 6, CW_CHANNEL2 = 0b10 << 6;
inline constexpr u8 CW_LOW_THEN_HIGH = 0b11 << 4;
inline constexpr u8 CW_MODE0 = 0b000 << 1, CW_MODE2 = 0b010 << 1;
inline constexpr u8 CW_LATCH = 0b00 << 4;   // counter-latch command (access bits 00)

// Channel 2 as a free-running ruler: gate on (port 0x61), speaker off, mode 0 counting down
// from 0xFFFF (54.9 ms until it wraps). Context: interrupts disabled.
void start_ruler();
// Latches and reads channel 2's current count (the counter-latch command freezes the value at
// the moment of the command, so the reading belongs to that instant).
u16 read_ruler();
// Whether the ruler has passed zero since start_ruler() (mode 0 raises OUT at terminal count
// and keeps it high), i.e. a reading may have wrapped.
bool ruler_wrapped();
// Restores port 0x61 as it was before start_ruler().
void stop_ruler();

// Channel 0 as a rate generator at about `hz`; returns the divisor used (the real rate is
// INPUT_HZ / divisor). Its interrupt is ISA IRQ 0.
u16 start_periodic(u32 hz);

}
