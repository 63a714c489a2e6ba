// MBR partition tables: four primary entries in sector 0 (offset 446, 16 bytes each, signature
// 55h AAh at 510), and logical partitions in a chain of extended boot records (EBRs) inside an
// extended partition (types 05h, 0Fh, 85h). In each EBR, entry 0 is the logical partition
// (its start relative to that EBR) and entry 1 points to the next EBR (relative to the start of
// the extended partition). Only LBA fields are used; CHS fields are ignored, as every modern
// system does.
#include "partition_internal.h"
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace block::internal {

namespace {

constexpr usize TABLE_OFFSET = 446;
constexpr usize ENTRY_SIZE = 16;
constexpr u8 TYPE_EMPTY = 0x00;
constexpr u8 TYPE_GPT_PROTECTIVE = 0xEE;
constexpr usize MAX_LOGICAL = 64;   // a chain longer than this is a loop

struct MbrEntry {
    u8 type;
    u64 start;
    u64 sectors;
};

MbrEntry entry(u8 const* sector, usize index)
{
    u8 const* e = sector + TABLE_OFFSET + index * ENTRY_SIZE;
    return { e[4], load_le32(e + 8), load_le32(e + 12) };
}

bool is_extended(u8 type) { return type == 0x05 || type == 0x0F || type == 0x85; }

ErrorOr<void> read_logical(u64 disk_sectors, SectorReader reader, u64 extended_start, PartitionTable& table)
{
    u8 ebr[SECTOR_SIZE];
    u64 ebr_lba = extended_start;
    u32 number = 5;
    for (usize i = 0; i < MAX_LOGICAL; ++i) {
        if (ebr_lba >= disk_sectors)
            break;
        TRY(reader.read(reader.context, ebr_lba, Bytes(ebr, sizeof(ebr))));
        if (!has_mbr_signature(ebr))
            break;
        MbrEntry logical = entry(ebr, 0);
        if (logical.type != TYPE_EMPTY && logical.sectors != 0)
            add_partition(table, disk_sectors, { number++, ebr_lba + logical.start, logical.sectors, logical.type, {} });
        MbrEntry next = entry(ebr, 1);
        if (!is_extended(next.type) || next.start == 0)
            return {};
        ebr_lba = extended_start + next.start;
    }
    log_warn("partition: the extended partition's EBR chain is broken or loops; stopped after %zu\n", MAX_LOGICAL);
    return {};
}

}

bool has_mbr_signature(u8 const* mbr) { return mbr[510] == 0x55 && mbr[511] == 0xAA; }

bool is_protective_mbr(u8 const* mbr)
{
    for (usize i = 0; i < 4; ++i) {
        if (entry(mbr, i).type == TYPE_GPT_PROTECTIVE)
            return true;
    }
    return false;
}

void add_partition(PartitionTable& table, u64 disk_sectors, Partition const& partition)
{
    if (partition.sectors == 0 || partition.start >= disk_sectors || partition.sectors > disk_sectors - partition.start) {
        log_warn("partition %u: sectors %lu-%lu lie outside the disk (%lu sectors); ignored\n", partition.number,
                 partition.start, partition.start + partition.sectors - 1, disk_sectors);
        return;
    }
    if (table.count == MAX_PARTITIONS) {
        log_warn("partition %u: more than %zu partitions; ignored\n", partition.number, MAX_PARTITIONS);
        return;
    }
    table.partitions[table.count++] = partition;
}

ErrorOr<void> read_mbr(u64 disk_sectors, SectorReader reader, u8 const* mbr, PartitionTable& table)
{
    table.scheme = Scheme::Mbr;
    for (usize i = 0; i < 4; ++i) {
        MbrEntry primary = entry(mbr, i);
        if (primary.type == TYPE_EMPTY || primary.sectors == 0)
            continue;
        // An extended partition only contains the logical ones: it is not a partition to use.
        if (is_extended(primary.type))
            TRY(read_logical(disk_sectors, reader, primary.start, table));
        else
            add_partition(table, disk_sectors, { u32(i + 1), primary.start, primary.sectors, primary.type, {} });
    }
    return {};
}

}
