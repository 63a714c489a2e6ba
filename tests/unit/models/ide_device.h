#pragma once
// One device on a modelled IDE channel (piix_ide.h): what it is (ATA disk, ATAPI CD-ROM, or
// nothing), its IDENTIFY data, its sectors, and the faults a test injects. No timing and no
// registers here: the channel model runs the protocol.
//
// Sectors are sparse: a sector nobody wrote reads as pattern_byte(lba, offset), so a disk of
// 2^29 sectors (LBA48 territory) costs nothing until written, and every read can be checked.
#include <kstd/types.h>
#include <array>
#include <map>
#include <set>
#include <string>

namespace models {

enum class IdeKind : u8 { Absent, Disk, Atapi };

// ATA error register bits (ATA/ATAPI-6, 7.16.6 and each command's "Error" outputs).
namespace ide_error {
inline constexpr u8 AMNF = 0x01, ABRT = 0x04, IDNF = 0x10, UNC = 0x40, ICRC = 0x80;
}

struct SectorFault {
    u8 error { ide_error::UNC };   // what the error register says (UNC, IDNF, ...)
    bool once { false };           // healed after it fired once
};

class IdeDevice {
public:
    static constexpr u32 SECTOR = 512;

    IdeKind kind { IdeKind::Absent };
    // IDENTIFY contents (ATA/ATAPI-6, 8.15.8: IDENTIFY DEVICE data).
    std::string model { "CONDUIT MODEL DISK" };
    std::string serial { "MODEL0001" };
    std::string firmware { "1.0" };
    u64 sectors { 8192 };
    bool lba48 { true };               // the 48-bit address feature set (word 83 bit 10)
    u8 mwdma_modes { 0x07 };           // word 63: MWDMA 0-2
    u8 udma_modes { 0x3F };            // word 88: UDMA 0-5
    bool write_cache { true };         // supported and enabled (words 82/85 bit 5)
    bool checksum { true };            // word 255: 0xA5 signature and checksum

    // Faults: reads/writes of these sectors fail with the given error.
    std::map<u64, SectorFault> read_faults;
    std::map<u64, SectorFault> write_faults;
    // The next command (of any kind) is accepted and never finishes: BSY stays set until a
    // software reset, as with a device that has hung.
    bool hang_next_command { false };

    // Statistics.
    u64 sectors_read { 0 };
    u64 sectors_written { 0 };
    u64 flushes { 0 };
    u64 unflushed_writes { 0 };        // sectors written since the last FLUSH CACHE
    u8 transfer_mode { 0 };            // what SET FEATURES 03h last selected

    // The 256 words a disk answers IDENTIFY DEVICE with (an ATAPI device answers IDENTIFY
    // PACKET DEVICE with identify_packet()).
    std::array<u16, 256> identify() const;
    std::array<u16, 256> identify_packet() const;

    void read_sector(u64 lba, u8* out) const;
    void write_sector(u64 lba, u8 const* data);
    // Checks and consumes a fault for this sector; returns the error bits, 0 for none.
    u8 take_fault(u64 lba, bool is_write);
    bool was_written(u64 lba) const { return m_written.count(lba) != 0; }
    usize written_sector_count() const { return m_written.size(); }

    static u8 pattern_byte(u64 lba, u32 offset);

private:
    std::map<u64, std::array<u8, SECTOR>> m_written;
};

}
