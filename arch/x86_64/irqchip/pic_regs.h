#pragma once
// 8259A registers and command words. Intel 8259A Programmable Interrupt Controller datasheet
// (order no. 231468): "Initialization Command Words (ICWs)" (Figure 6) and "Operation Command
// Words (OCWs)" (Figure 8). The PC wiring: master at 0x20/0x21, slave at 0xA0/0xA1 cascaded on
// the master's IR2. ELCR: Intel 82371SB (PIIX3) datasheet section 4.1.x "ELCR1/ELCR2" at
// 0x4D0/0x4D1, present at the same ports on the ICH9 LPC (q35).
//
// Each chip is a two-port window (A0 = 0: the command port, A0 = 1: the data port); the driver
// reaches them through io::PortWindow like any other driver, so pic.cpp also compiles for the
// host unit tests against an 8259 model (tests/unit/models/pic8259.h).
#include <kernel/io/window.h>
#include <kstd/types.h>

namespace arch::pic {

inline constexpr u16 MASTER_BASE = 0x20, SLAVE_BASE = 0xA0, ELCR_BASE = 0x4D0;
inline constexpr u16 CHIP_PORTS = 2;
inline constexpr u16 POST_PORT = 0x80;   // unused POST code port: a write is a short delay

namespace regs {
inline constexpr io::Reg<u8, 0> command {};   // ICW1, OCW2, OCW3 (write); IRR or ISR (read, per OCW3)
inline constexpr io::Reg<u8, 1> data {};      // ICW2-4 during initialisation, then the mask (IMR)
inline constexpr io::Reg<u8, 0> elcr_master {};
inline constexpr io::Reg<u8, 1> elcr_slave {};
}

// ICW1 (command port, A0=0, D4=1): ICW4 needed, cascade mode, edge triggered (on a PC the
// ELCR decides per line, the ICW1 LTIM bit is not used).
inline constexpr u8 ICW1_INIT = 0x10, ICW1_ICW4 = 0x01;
// ICW3: master: bit mask of inputs with a slave; slave: its cascade identity.
inline constexpr u8 ICW3_MASTER_SLAVE_ON_IR2 = 1 << 2, ICW3_SLAVE_ID = 2;
// ICW4: 8086/88 mode, normal (not automatic) EOI.
inline constexpr u8 ICW4_8086 = 0x01;

// OCW2 (command port, D4=D3=0): specific EOI for level L is 0x60 | L.
inline constexpr u8 OCW2_SPECIFIC_EOI = 0x60;
// OCW3 (command port, D4=0, D3=1): read IRR / read ISR on the next read of the command port.
inline constexpr u8 OCW3_READ_IRR = 0x0A, OCW3_READ_ISR = 0x0B;

inline constexpr u8 CASCADE_LINE = 2;
inline constexpr u8 SPURIOUS_LEVEL = 7;   // IR7 is what an 8259 reports when a request vanishes

}
