#pragma once
// Intel 8254x (e1000) register block and descriptor formats, as the "PCI/PCI-X Family of Gigabit
// Ethernet Controllers Software Developer's Manual" (8254x SDM, rev. 4.0) describes them:
// section 13 (registers; Table 13-2 is the summary), 3.2 (receive descriptors), 3.3 (transmit
// descriptors), 5 (the EEPROM), 14 (initialization).
//
// Everything is in the 128 KiB memory BAR (BAR 0); every register is 32 bits wide and must be
// accessed as a whole dword. Each register that holds bits has its own bit type, so writing
// the bits of one register into another does not compile (see drivers/char/uart16550 for the
// same pattern on a port window).
#include <kernel/io/window.h>
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace e1000 {

// Device Control, CTRL (13.4.1).
enum class Ctrl : u32 {
    None = 0,
    FullDuplex = 1u << 0,          // FD
    LinkReset = 1u << 3,           // LRST: fiber only; must be 0 on copper
    AutoSpeedDetect = 1u << 5,     // ASDE
    SetLinkUp = 1u << 6,           // SLU: let the MAC follow the PHY's link
    InvertLossOfSignal = 1u << 7,  // ILOS: must be 0 on copper
    Reset = 1u << 26,              // RST: global reset, self-clearing
    PhyReset = 1u << 31,           // PHY_RST
};

// Device Status, STATUS (13.4.2). Read-only.
enum class Status : u32 {
    None = 0,
    FullDuplex = 1u << 0,          // FD
    LinkUp = 1u << 1,              // LU
    TxOff = 1u << 4,               // transmission paused (flow control)
    SpeedMask = 3u << 6,           // 00 10, 01 100, 1x 1000 Mb/s
    Speed100 = 1u << 6,
    Speed1000 = 2u << 6,
};

// EEPROM/Flash Control, EECD (13.4.3): the bit-banged Microwire interface to the 93C46.
enum class Eecd : u32 {
    None = 0,
    Clock = 1u << 0,               // SK
    ChipSelect = 1u << 1,          // CS
    DataIn = 1u << 2,              // DI: driver -> EEPROM
    DataOut = 1u << 3,             // DO: EEPROM -> driver
    Request = 1u << 6,             // EE_REQ: ask the MAC for the interface (82540 and later)
    Grant = 1u << 7,               // EE_GNT
    Present = 1u << 8,             // EE_PRES
};

// EEPROM Read, EERD (13.4.4), on the 82540/82545 and later (not on the 82544).
namespace eerd {
inline constexpr u32 START = 1u << 0;
inline constexpr u32 DONE = 1u << 4;
inline constexpr u32 ADDRESS_SHIFT = 8;
inline constexpr u32 DATA_SHIFT = 16;
}

// Interrupt causes: the same bit positions in ICR (read: pending causes, and reading clears
// them), ICS (write: raise), IMS (write 1: enable; read: the enabled set) and IMC (write 1:
// disable) (13.4.17-13.4.21).
enum class Interrupt : u32 {
    None = 0,
    TxDescWritten = 1u << 0,       // TXDW: a descriptor with RS was written back
    TxQueueEmpty = 1u << 1,        // TXQE
    LinkStatusChange = 1u << 2,    // LSC
    RxSequenceError = 1u << 3,     // RXSEQ
    RxDescMinThreshold = 1u << 4,  // RXDMT0: free receive descriptors fell to RCTL.RDMTS
    RxOverrun = 1u << 6,           // RXO: a frame arrived with no free descriptor (or FIFO full)
    RxTimer = 1u << 7,             // RXT0: a frame was received (after the RDTR/RADV delay)
    MdioAccessComplete = 1u << 9,  // MDAC
    All = 0x1FFFF,                 // every cause the 8254x defines (bits 0-16)
};

// Receive Control, RCTL (13.4.22).
enum class Rctl : u32 {
    None = 0,
    Enable = 1u << 1,              // EN
    StoreBadPackets = 1u << 2,     // SBP
    UnicastPromiscuous = 1u << 3,  // UPE
    MulticastPromiscuous = 1u << 4,// MPE
    LongPackets = 1u << 5,         // LPE: frames up to 16 KiB
    DescMinThresholdHalf = 0u << 8,// RDMTS: RXDMT0 when free descriptors reach 1/2, 1/4, 1/8
    DescMinThresholdQuarter = 1u << 8,
    DescMinThresholdEighth = 2u << 8,
    BroadcastAccept = 1u << 15,    // BAM
    BufferSize2048 = 0u << 16,     // BSIZE 00 with BSEX 0
    StripCrc = 1u << 26,           // SECRC: do not store the Ethernet CRC in the buffer
};

// Transmit Control, TCTL (13.4.33), and its two multi-bit fields.
enum class Tctl : u32 {
    None = 0,
    Enable = 1u << 1,              // EN
    PadShortPackets = 1u << 3,     // PSP: pad frames to 64 bytes
    RetransmitLateCollision = 1u << 24,
};
namespace tctl {
inline constexpr u32 COLLISION_THRESHOLD_SHIFT = 4;    // CT: 15 retries, as 14.5 recommends
inline constexpr u32 COLLISION_THRESHOLD = 0x0F;
inline constexpr u32 COLLISION_DISTANCE_SHIFT = 12;    // COLD: 64 byte times in full duplex
inline constexpr u32 COLLISION_DISTANCE_FULL_DUPLEX = 0x40;
}

// Transmit IPG, TIPG (13.4.34): the values 14.5 gives for the 82540/82545 on copper.
namespace tipg {
inline constexpr u32 IPGT = 10;
inline constexpr u32 IPGR1 = 8;
inline constexpr u32 IPGR2 = 6;
inline constexpr u32 VALUE = IPGT | IPGR1 << 10 | IPGR2 << 20;
}

// Receive Address High, RAH (13.4.28): the top 16 bits of the MAC, and Address Valid.
inline constexpr u32 RAH_ADDRESS_VALID = 1u << 31;

// Interrupt Throttling, ITR (13.4.18): the minimum interval between interrupts, in 256 ns units
// (0: no throttling). interval = 10^9 / (rate * 256).
inline constexpr u32 ITR_UNIT_NS = 256;
inline constexpr u32 ITR_MAX = 0xFFFF;

ENUM_BITMASK(Ctrl)
ENUM_BITMASK(Status)
ENUM_BITMASK(Eecd)
ENUM_BITMASK(Interrupt)
ENUM_BITMASK(Rctl)
ENUM_BITMASK(Tctl)

namespace regs {
inline constexpr io::Reg<Ctrl, 0x0000> ctrl {};
inline constexpr io::Reg<Status, 0x0008> status {};
inline constexpr io::Reg<Eecd, 0x0010> eecd {};
inline constexpr io::Reg<u32, 0x0014> eerd {};
inline constexpr io::Reg<Interrupt, 0x00C0> icr {};
inline constexpr io::Reg<u32, 0x00C4> itr {};
inline constexpr io::Reg<Interrupt, 0x00C8> ics {};
inline constexpr io::Reg<Interrupt, 0x00D0> ims {};
inline constexpr io::Reg<Interrupt, 0x00D8> imc {};
inline constexpr io::Reg<Rctl, 0x0100> rctl {};
inline constexpr io::Reg<Tctl, 0x0400> tctl {};
inline constexpr io::Reg<u32, 0x0410> tipg {};
inline constexpr io::Reg<u32, 0x2800> rdbal {};
inline constexpr io::Reg<u32, 0x2804> rdbah {};
inline constexpr io::Reg<u32, 0x2808> rdlen {};
inline constexpr io::Reg<u32, 0x2810> rdh {};
inline constexpr io::Reg<u32, 0x2818> rdt {};
inline constexpr io::Reg<u32, 0x2820> rdtr {};
inline constexpr io::Reg<u32, 0x282C> radv {};
inline constexpr io::Reg<u32, 0x3800> tdbal {};
inline constexpr io::Reg<u32, 0x3804> tdbah {};
inline constexpr io::Reg<u32, 0x3808> tdlen {};
inline constexpr io::Reg<u32, 0x3810> tdh {};
inline constexpr io::Reg<u32, 0x3818> tdt {};
inline constexpr io::Reg<u32, 0x3820> tidv {};
// Statistics (13.7), clear on read: missed packets (no room in the FIFO) and receive-no-buffers
// (a frame arrived and there was no free descriptor).
inline constexpr io::Reg<u32, 0x4010> mpc {};
inline constexpr io::Reg<u32, 0x40A0> rnbc {};
inline constexpr u32 MTA_BASE = 0x5200;      // Multicast Table Array: 128 dwords
inline constexpr u32 MTA_ENTRIES = 128;
inline constexpr io::Reg<u32, 0x5400> ral0 {};
inline constexpr io::Reg<u32, 0x5404> rah0 {};
inline constexpr u32 WINDOW_LENGTH = 0x20000;   // BAR 0: 128 KiB
}

// Ring geometry (3.2.6, 3.3.3): the length register holds bytes and must be a multiple of 128,
// so a ring has a multiple of 8 descriptors of 16 bytes; at most 65536 descriptors.
inline constexpr u32 DESCRIPTOR_SIZE = 16;
inline constexpr u32 RING_ALIGNMENT = 128;
inline constexpr u32 MIN_RING = 8;
inline constexpr u32 MAX_RING = 4096;            // a driver limit, well below the hardware's
inline constexpr u32 RX_BUFFER_SIZE = 2048;      // RCTL.BSIZE above
// A frame with its Ethernet header (the CRC is stripped): 14 + 1500, plus a VLAN tag.
inline constexpr u32 MAX_FRAME = 1518;

// Receive descriptor, legacy format (3.2.3, Table 3-1). The driver writes `address`; the
// controller writes the rest when it stores a frame and sets status.DD last.
struct RxDesc {
    u64 address;
    u16 length;
    u16 checksum;
    u8 status;
    u8 errors;
    u16 special;
};
static_assert(sizeof(RxDesc) == DESCRIPTOR_SIZE);

namespace rxstatus {
inline constexpr u8 DD = 1u << 0;      // descriptor done: the controller has finished with it
inline constexpr u8 EOP = 1u << 1;     // end of packet: the frame's last descriptor
}
namespace rxerror {
inline constexpr u8 CE = 1u << 0;      // CRC error
inline constexpr u8 SE = 1u << 1;      // symbol error
inline constexpr u8 SEQ = 1u << 2;     // sequence error
inline constexpr u8 CXE = 1u << 4;     // carrier extension error
inline constexpr u8 RXE = 1u << 7;     // RX data error
inline constexpr u8 FRAME_ERRORS = CE | SE | SEQ | CXE | RXE;
}

// Transmit descriptor, legacy format (3.3.3, Table 3-8). The driver writes address, length and
// cmd; with cmd.RS the controller writes status.DD back when it has sent the buffer.
struct TxDesc {
    u64 address;
    u16 length;
    u8 cso;
    u8 cmd;
    u8 status;
    u8 css;
    u16 special;
};
static_assert(sizeof(TxDesc) == DESCRIPTOR_SIZE);

namespace txcmd {
inline constexpr u8 EOP = 1u << 0;     // end of packet
inline constexpr u8 IFCS = 1u << 1;    // insert the Ethernet CRC
inline constexpr u8 RS = 1u << 3;      // report status: write DD back when done
}
namespace txstatus {
inline constexpr u8 DD = 1u << 0;
}

// The EEPROM (5.6, Table 5-2): 64 words; words 0-2 hold the MAC address, low byte first; the
// words 0x00-0x3F sum to 0xBABA.
inline constexpr u8 EEPROM_WORDS = 64;
inline constexpr u16 EEPROM_CHECKSUM_SUM = 0xBABA;
inline constexpr u8 EEPROM_MICROWIRE_READ = 0b110;   // start bit + opcode 10
inline constexpr u8 EEPROM_ADDRESS_BITS = 6;          // 93C46: 64 words

}
