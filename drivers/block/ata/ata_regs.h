#pragma once
// ATA task file, device control and PIIX bus-master registers, as typed register windows.
//
// Sources: ATA/ATAPI-6 (T13/1410D) section 7 (registers) and 8 (commands); SFF-8038i "Bus
// Master Programming Interface for IDE ATA Controllers" (bus-master registers, PRD table);
// Intel PIIX3/PIIX4 datasheets (compatibility-mode ports, BAR4). The lecture's names are
// used: BSY, DRDY, DRQ, ERR; nIEN, SRST, HOB; LBA28 and LBA48.
//
// Three windows per channel: the command block (8 ports: 0x1F0 or 0x170 in compatibility
// mode), the control block (1 port: 0x3F6 or 0x376) and the bus-master block (8 ports in BAR4).
#include <kernel/io/window.h>
#include <kstd/bitmask.h>
#include <kstd/types.h>

namespace ata {

// Status register (7.15) and alternate status (7.3): the same bits. Reading *status*
// acknowledges the device's interrupt; reading *alternate status* does not.
enum class Status : u8 {
    None = 0,
    Err = 0x01,    // the command failed: see the error register
    Drq = 0x08,    // the device is ready to transfer a block of data
    Dsc = 0x10,    // (obsolete) seek complete
    Df = 0x20,     // device fault
    Drdy = 0x40,   // the device accepts commands
    Bsy = 0x80,    // the device owns the task file: no other bit is valid
};
ENUM_BITMASK(Status)

// Error register (7.10), valid when Status::Err is set.
enum class ErrorReg : u8 {
    None = 0,
    Amnf = 0x01,   // address mark not found
    Abrt = 0x04,   // command aborted (not supported, or a bad parameter)
    Idnf = 0x10,   // the sector was not found (outside the device)
    Unc = 0x40,    // uncorrectable data error
    Icrc = 0x80,   // interface CRC error (Ultra DMA)
};
ENUM_BITMASK(ErrorReg)

// Device control register (7.9), write-only, in the control block.
enum class Control : u8 {
    None = 0,
    Nien = 0x02,   // not interrupt enable: 1 masks the device's INTRQ
    Srst = 0x04,   // software reset of both devices on the channel
    Obsolete = 0x08,   // written as 1 by convention (bit 3 of older standards)
    Hob = 0x80,    // high order byte: reads of the LBA/count registers return the "previous" byte
};
ENUM_BITMASK(Control)

// Device register (7.11) bits.
inline constexpr u8 DEVICE_OBSOLETE = 0xA0;   // bits 7 and 5, set to 1 by convention
inline constexpr u8 DEVICE_LBA = 0x40;        // LBA addressing (not cylinder/head/sector)
inline constexpr u8 DEVICE_DEV1 = 0x10;       // selects device 1 (the slave)

namespace regs {
// Command block.
inline constexpr io::Reg<u16, 0> data {};
inline constexpr io::Reg<ErrorReg, 1> error {};       // read
inline constexpr io::Reg<u8, 1> features {};          // write
inline constexpr io::Reg<u8, 2> sector_count {};
inline constexpr io::Reg<u8, 3> lba_low {};
inline constexpr io::Reg<u8, 4> lba_mid {};
inline constexpr io::Reg<u8, 5> lba_high {};
inline constexpr io::Reg<u8, 6> device {};
inline constexpr io::Reg<Status, 7> status {};        // read: acknowledges INTRQ
inline constexpr io::Reg<u8, 7> command {};           // write
// Control block.
inline constexpr io::Reg<Status, 0> alt_status {};    // read: no side effects
inline constexpr io::Reg<Control, 0> device_control {};   // write
}

// Commands (section 8). EXT: the LBA48 forms.
namespace command {
inline constexpr u8 READ_SECTORS = 0x20;
inline constexpr u8 READ_SECTORS_EXT = 0x24;
inline constexpr u8 READ_DMA_EXT = 0x25;
inline constexpr u8 WRITE_SECTORS = 0x30;
inline constexpr u8 WRITE_SECTORS_EXT = 0x34;
inline constexpr u8 WRITE_DMA_EXT = 0x35;
inline constexpr u8 IDENTIFY_PACKET = 0xA1;
inline constexpr u8 READ_DMA = 0xC8;
inline constexpr u8 WRITE_DMA = 0xCA;
inline constexpr u8 FLUSH_CACHE = 0xE7;
inline constexpr u8 FLUSH_CACHE_EXT = 0xEA;
inline constexpr u8 IDENTIFY = 0xEC;
inline constexpr u8 SET_FEATURES = 0xEF;
}
inline constexpr u8 FEATURE_SET_TRANSFER_MODE = 0x03;
inline constexpr u8 TRANSFER_MODE_MWDMA = 0x20;   // | mode number (SET FEATURES 03h, table 44)
inline constexpr u8 TRANSFER_MODE_UDMA = 0x40;

// Signatures left in LBA mid/high by a reset or an aborted IDENTIFY (9.12).
inline constexpr u8 SIGNATURE_ATAPI_MID = 0x14;
inline constexpr u8 SIGNATURE_ATAPI_HIGH = 0xEB;

// ---- bus master (SFF-8038i section 3) -----------------------------------------------------

enum class BmCommand : u8 {
    Stop = 0,
    Start = 0x01,      // start/stop bus master
    ToMemory = 0x08,   // read/write control: 1 = the device writes memory (a disk *read*)
};
ENUM_BITMASK(BmCommand)

enum class BmStatus : u8 {
    None = 0,
    Active = 0x01,     // the engine is transferring (read-only)
    Error = 0x02,      // the controller hit an error on the bus (write 1 to clear)
    Interrupt = 0x04,  // the device raised its interrupt (write 1 to clear)
    Drive0Dma = 0x20,  // BIOS: device 0 is DMA capable
    Drive1Dma = 0x40,
    Simplex = 0x80,    // only one channel may use DMA at a time
};
ENUM_BITMASK(BmStatus)

namespace bm_regs {
inline constexpr io::Reg<BmCommand, 0> command {};
inline constexpr io::Reg<BmStatus, 2> status {};
inline constexpr io::Reg<u32, 4> prd_table {};   // physical address of the PRD table, 4-byte aligned
}

// A physical region descriptor (SFF-8038i 3.1.3): one contiguous piece of the buffer. The
// table is 4-byte aligned and may not cross 64 KiB; so may no region. A byte count of 0
// means 64 KiB; the last entry has the end-of-table bit.
struct Prd {
    u32 address;       // physical, even
    u16 byte_count;    // even; 0 = 65536
    u16 flags;         // EOT in bit 15
};
static_assert(sizeof(Prd) == 8);
inline constexpr u16 PRD_END_OF_TABLE = 0x8000;
inline constexpr u64 PRD_BOUNDARY = 64 * 1024;

}
