#pragma once
// The 16550 UART's registers, for user-mode drivers (National Semiconductor PC16550D datasheet,
// "Register Summary" and Table IV "Interrupt Control Functions"). Offsets from the port base.
// The kernel's own driver has the same facts as typed registers (drivers/char/uart16550/
// uart16550_regs.h); a program reaches the ports with port_in8/port_out8 after ioperm().
#include <kstd/types.h>

namespace uart {

// Offsets. With LCR.DLAB set, offsets 0 and 1 are the divisor latch instead.
inline constexpr u16 RBR = 0, THR = 0, DLL = 0;   // receive buffer (read), transmit holding (write)
inline constexpr u16 IER = 1, DLM = 1;            // interrupt enable
inline constexpr u16 IIR = 2, FCR = 2;            // interrupt identification (read), FIFO control (write)
inline constexpr u16 LCR = 3;                     // line control
inline constexpr u16 MCR = 4;                     // modem control
inline constexpr u16 LSR = 5;                     // line status
inline constexpr u16 MSR = 6;                     // modem status
inline constexpr u16 SCR = 7;                     // scratch
inline constexpr u16 PORT_COUNT = 8;

inline constexpr u8 IER_RX_AVAILABLE = 0x01, IER_THR_EMPTY = 0x02, IER_LINE_STATUS = 0x04, IER_MODEM_STATUS = 0x08;

// IIR: bit 0 clear = an interrupt is pending; bits 1-3 say which (highest priority first).
inline constexpr u8 IIR_NO_INTERRUPT = 0x01, IIR_CAUSE_MASK = 0x0E;
inline constexpr u8 IIR_LINE_STATUS = 0x06;   // cleared by reading LSR
inline constexpr u8 IIR_RX_AVAILABLE = 0x04;  // cleared by reading RBR below the trigger level
inline constexpr u8 IIR_RX_TIMEOUT = 0x0C;    // cleared by reading RBR
inline constexpr u8 IIR_THR_EMPTY = 0x02;     // cleared by reading IIR or writing THR
inline constexpr u8 IIR_MODEM_STATUS = 0x00;  // cleared by reading MSR

inline constexpr u8 FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04, FCR_TRIGGER_14 = 0xC0;
inline constexpr u8 LCR_8N1 = 0x03, LCR_DLAB = 0x80;
inline constexpr u8 MCR_DTR = 0x01, MCR_RTS = 0x02, MCR_OUT2 = 0x08, MCR_LOOP = 0x10;   // OUT2 gates the IRQ on PCs
inline constexpr u8 LSR_DATA_READY = 0x01, LSR_OVERRUN = 0x02, LSR_THR_EMPTY = 0x20;

inline constexpr u32 CLOCK_DIVISOR_BASE = 115200;   // divisor = 115200 / baud
inline constexpr usize FIFO_SIZE = 16;              // bytes in each FIFO of a 16550A

}
