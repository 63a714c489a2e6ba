#pragma once
// Partition tables: where the partitions of a disk are, from its MBR (with extended/logical
// partitions) or its GPT. Portable (host-tested): the caller passes a function that reads one
// 512-byte sector, so the parser never sees a driver.
//
//     auto table = TRY(block::read_partitions(disk.sector_count(), { read_sector, &disk }));
//     for (auto const& p : table.span()) ... register "hda<p.number>" at p.start, p.sectors ...
//
// Numbering follows Linux: MBR primary entries are 1-4 by slot, logical partitions 5, 6, ... in
// chain order; GPT partitions are numbered by their slot in the entry array (1-based).
// Entries that point outside the disk are skipped with a log line, never trusted.
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace block {

inline constexpr u32 SECTOR_SIZE = 512;
inline constexpr usize MAX_PARTITIONS = 16;

enum class Scheme : u8 { None, Mbr, Gpt };
char const* scheme_name(Scheme scheme);   // "none", "MBR", "GPT"

struct Partition {
    u32 number;          // 1, 2, ...
    u64 start;           // first sector
    u64 sectors;
    u8 mbr_type;         // MBR system ID (0x83 Linux, 0x0c FAT32 LBA, ...); 0 for GPT
    char name[37];       // GPT partition name (ASCII part of its UTF-16), "" for MBR
};

struct PartitionTable {
    Scheme scheme { Scheme::None };
    Partition partitions[MAX_PARTITIONS] {};
    usize count { 0 };
    Span<Partition const> span() const { return { partitions, count }; }
};

struct SectorReader {
    // Reads sector `lba` into `out` (SECTOR_SIZE bytes).
    ErrorOr<void> (*read)(void* context, u64 lba, Bytes out);
    void* context;
};

// Reads the partition table of a disk of `disk_sectors` sectors. A disk without a valid MBR
// signature, or with an empty table, has Scheme::None and no partitions (not an error). Errors:
// the reader's (EIO, ...); EINVAL for a GPT whose primary and backup headers are both damaged.
// Context: thread (the reader sleeps). Locking: none.
[[nodiscard]] ErrorOr<PartitionTable> read_partitions(u64 disk_sectors, SectorReader reader);

// CRC-32 (IEEE 802.3, as GPT uses it). Context: any.
u32 crc32(ReadonlyBytes bytes, u32 crc = 0);

}
