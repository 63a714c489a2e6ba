// Partition tables (include/kernel/block/partition.h): which scheme a disk uses. A GPT disk
// has a "protective" MBR whose one partition of type EEh covers the disk, so the MBR is read
// first and decides. The schemes themselves: partition_mbr.cpp, partition_gpt.cpp.
#include "partition_internal.h"
#include <kstd/enforce.h>

namespace block {

char const* scheme_name(Scheme scheme)
{
    switch (scheme) {
    case Scheme::None: return "none";
    case Scheme::Mbr: return "MBR";
    case Scheme::Gpt: return "GPT";
    }
    return "?";
}

// The IEEE 802.3 polynomial, reflected; bit by bit (GPT headers and entry arrays are small).
u32 crc32(ReadonlyBytes bytes, u32 crc)
{
    crc = ~crc;
    for (u8 byte : bytes) {
        crc ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1)));
    }
    return ~crc;
}

ErrorOr<PartitionTable> read_partitions(u64 disk_sectors, SectorReader reader)
{
    PartitionTable table;
    u8 mbr[SECTOR_SIZE];
    TRY(reader.read(reader.context, 0, Bytes(mbr, sizeof(mbr))));
    if (!internal::has_mbr_signature(mbr))
        return table;
    if (internal::is_protective_mbr(mbr)) {
        TRY(internal::read_gpt(disk_sectors, reader, table));
        return table;
    }
    TRY(internal::read_mbr(disk_sectors, reader, mbr, table));
    return table;
}

}
