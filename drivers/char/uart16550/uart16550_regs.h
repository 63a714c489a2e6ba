#pragma once
// National Semiconductor PC16550D UART, register block (PC16550D datasheet, June 1995: Table II
// "Summary of Registers", and the section of each register named below). Eight byte-wide
// registers at consecutive I/O ports; LCR's DLAB bit switches offsets 0 and 1 from the data and
// interrupt-enable registers to the two bytes of the baud-rate divisor latch.
//
//   offset  DLAB=0 read   DLAB=0 write   DLAB=1
//   0       RBR           THR            DLL (divisor, low byte)
//   1       IER           IER            DLM (divisor, high byte)
//   2       IIR           FCR
//   3       LCR           LCR
//   4       MCR           MCR
//   5       LSR           (factory test)
//   6       MSR           (n/a)
//   7       SCR           SCR
//
// Each register has its own bit type, so writing one register's bits into another is a compile
// error (docs/style.md, "Hardware access"): m_io.write(regs::lsr, Mcr::Dtr) does not build.
#include <kernel/io/window.h>
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace uart16550 {

// The divisor latch divides a 1.8432 MHz clock by 16 and then by the divisor ("Programmable
// Baud Generator", Table III): divisor 1 is 115200 baud, 12 is 9600.
inline constexpr u32 MAX_BAUD = 115200;
// Receive and transmit FIFO depth of a 16550A ("FIFO Control Register"). QEMU emulates this
// chip; an 8250/16450 without FIFOs holds one byte.
inline constexpr u8 FIFO_DEPTH = 16;

// Interrupt Enable Register ("Interrupt Enable Register").
enum class Ier : u8 {
    None = 0,
    RxAvailable = 1 << 0,   // ERBFI: received data available (and the FIFO's character timeout)
    ThrEmpty = 1 << 1,      // ETBEI: transmitter holding register empty
    LineStatus = 1 << 2,    // ELSI: overrun, parity, framing error or break
    ModemStatus = 1 << 3,   // EDSSI: CTS, DSR, RI, DCD changed
};

// Interrupt Identification Register ("Interrupt Identification Register", Table IV). Bit 0 is
// set when NO interrupt is pending; bits 1-3 name the highest-priority pending cause; bits 6-7
// read 11 when the FIFOs are enabled on a 16550A.
enum class Iir : u8 {
    NoInterrupt = 1 << 0,
    CauseMask = 0x0E,
    ModemStatus = 0x00,     // priority 4: cleared by reading MSR
    ThrEmpty = 0x02,        // priority 3: cleared by reading IIR or writing THR
    RxAvailable = 0x04,     // priority 2: cleared when the FIFO drops below the trigger level
    LineStatus = 0x06,      // priority 1 (highest): cleared by reading LSR
    RxTimeout = 0x0C,       // priority 2: FIFO below the trigger but not read for 4 characters
    FifosEnabled = 0xC0,
};

// FIFO Control Register ("FIFO Control Register"), write-only (reads at offset 2 give IIR).
// Changing the Enable bit clears both FIFOs on the chip and in QEMU; writing Enable again while
// it is already set clears nothing unless ClearRx/ClearTx are set.
enum class Fcr : u8 {
    None = 0,
    Enable = 1 << 0,
    ClearRx = 1 << 1,
    ClearTx = 1 << 2,
    Trigger1 = 0b00 << 6,   // receive interrupt after 1, 4, 8 or 14 bytes
    Trigger4 = 0b01 << 6,
    Trigger8 = 0b10 << 6,
    Trigger14 = 0b11 << 6,
};

// Line Control Register ("Line Control Register").
enum class Lcr : u8 {
    Word5 = 0b00,
    Word6 = 0b01,
    Word7 = 0b10,
    Word8 = 0b11,
    TwoStopBits = 1 << 2,
    ParityEnable = 1 << 3,
    EvenParity = 1 << 4,
    StickParity = 1 << 5,
    Break = 1 << 6,
    Dlab = 1 << 7,          // divisor latch access: offsets 0 and 1 become DLL and DLM
};

// Modem Control Register ("Modem Control Register").
enum class Mcr : u8 {
    None = 0,
    Dtr = 1 << 0,
    Rts = 1 << 1,
    Out1 = 1 << 2,
    Out2 = 1 << 3,          // on a PC, gates the UART's interrupt onto the ISA bus (QEMU ignores it)
    Loopback = 1 << 4,      // TX feeds RX inside the chip; nothing reaches the line
};

// Line Status Register ("Line Status Register").
enum class Lsr : u8 {
    None = 0,
    DataReady = 1 << 0,     // DR: at least one byte in RBR / the receive FIFO
    OverrunError = 1 << 1,  // OE: a byte arrived with the receiver full and was lost
    ParityError = 1 << 2,   // PE
    FramingError = 1 << 3,  // FE: no valid stop bit
    BreakInterrupt = 1 << 4,// BI: the line was held low for a whole character
    ThrEmpty = 1 << 5,      // THRE: THR (the transmit FIFO) is empty: room for more
    TxIdle = 1 << 6,        // TEMT: THR and the shift register are both empty
    FifoError = 1 << 7,     // a byte in the receive FIFO has a PE, FE or BI
    Errors = OverrunError | ParityError | FramingError | BreakInterrupt,
};

// Modem Status Register ("Modem Status Register"): read to clear a modem-status interrupt.
enum class Msr : u8 {
    None = 0,
    DeltaCts = 1 << 0,
    DeltaDsr = 1 << 1,
    TrailingRi = 1 << 2,
    DeltaDcd = 1 << 3,
    Cts = 1 << 4,
    Dsr = 1 << 5,
    Ri = 1 << 6,
    Dcd = 1 << 7,
};

ENUM_BITMASK(Ier)
ENUM_BITMASK(Iir)
ENUM_BITMASK(Fcr)
ENUM_BITMASK(Lcr)
ENUM_BITMASK(Mcr)
ENUM_BITMASK(Lsr)
ENUM_BITMASK(Msr)

namespace regs {
inline constexpr io::Reg<u8, 0> rbr {};     // DLAB=0, read
inline constexpr io::Reg<u8, 0> thr {};     // DLAB=0, write
inline constexpr io::Reg<u8, 0> dll {};     // DLAB=1
inline constexpr io::Reg<Ier, 1> ier {};    // DLAB=0
inline constexpr io::Reg<u8, 1> dlm {};     // DLAB=1
inline constexpr io::Reg<Iir, 2> iir {};    // read
inline constexpr io::Reg<Fcr, 2> fcr {};    // write
inline constexpr io::Reg<Lcr, 3> lcr {};
inline constexpr io::Reg<Mcr, 4> mcr {};
inline constexpr io::Reg<Lsr, 5> lsr {};
inline constexpr io::Reg<Msr, 6> msr {};
inline constexpr io::Reg<u8, 7> scr {};     // scratch: no effect on the UART
inline constexpr u16 WINDOW_LENGTH = 8;
}

}
