// GUID partition tables (UEFI 2.x, chapter 5.3): a header in LBA 1 ("EFI PART", its own CRC-32)
// pointing at an array of entries (usually 128 of 128 bytes from LBA 2, with a CRC-32 over the
// array). A backup header sits in the disk's last sector; it is used when the primary is
// damaged. An entry with an all-zero type GUID is unused.
#include "partition_internal.h"
#include <kernel/mm/heap.h>
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace block::internal {

namespace {

constexpr char SIGNATURE[8] = { 'E', 'F', 'I', ' ', 'P', 'A', 'R', 'T' };
constexpr u32 MIN_HEADER_SIZE = 92;
constexpr u32 MIN_ENTRY_SIZE = 128;
constexpr u32 MAX_ENTRIES = 1024;

struct GptHeader {
    u64 first_usable;
    u64 last_usable;
    u64 entries_lba;
    u32 entry_count;
    u32 entry_size;
    u32 entries_crc;
};

// Reads and checks the header at `lba` (signature, size, CRC, where it says it is).
ErrorOr<GptHeader> read_header(SectorReader reader, u64 lba)
{
    u8 sector[SECTOR_SIZE];
    TRY(reader.read(reader.context, lba, Bytes(sector, sizeof(sector))));
    if (memcmp(sector, SIGNATURE, sizeof(SIGNATURE)) != 0)
        return Error::from_errno(EINVAL);
    u32 size = load_le32(sector + 12);
    if (size < MIN_HEADER_SIZE || size > SECTOR_SIZE)
        return Error::from_errno(EINVAL);
    u32 stored_crc = load_le32(sector + 16);
    u8 copy[SECTOR_SIZE];
    memcpy(copy, sector, size);
    memset(copy + 16, 0, 4);
    if (crc32(ReadonlyBytes(copy, size)) != stored_crc || load_le64(sector + 24) != lba)
        return Error::from_errno(EINVAL);
    GptHeader header { load_le64(sector + 40), load_le64(sector + 48), load_le64(sector + 72), load_le32(sector + 80),
        load_le32(sector + 84), load_le32(sector + 88) };
    if (header.entry_size < MIN_ENTRY_SIZE || header.entry_size % 8 != 0 || header.entry_count == 0
        || header.entry_count > MAX_ENTRIES)
        return Error::from_errno(EINVAL);
    return header;
}

// The ASCII characters of a UTF-16LE name (others become '?').
void copy_name(u8 const* utf16, char* out, usize capacity)
{
    usize length = 0;
    for (usize i = 0; i < 36 && length + 1 < capacity; ++i) {
        u16 c = load_le16(utf16 + 2 * i);
        if (c == 0)
            break;
        out[length++] = c < 0x80 ? char(c) : '?';
    }
    out[length] = '\0';
}

bool is_unused(u8 const* entry)
{
    for (usize i = 0; i < 16; ++i) {
        if (entry[i] != 0)
            return false;
    }
    return true;
}

ErrorOr<void> read_entries(u64 disk_sectors, SectorReader reader, GptHeader const& header, PartitionTable& table)
{
    usize bytes = usize(header.entry_count) * header.entry_size;
    usize sectors = (bytes + SECTOR_SIZE - 1) / SECTOR_SIZE;
    auto* array = static_cast<u8*>(mm::kmalloc(sectors * SECTOR_SIZE));
    if (!array)
        return Error::from_errno(ENOMEM);
    auto result = [&]() -> ErrorOr<void> {
        for (usize i = 0; i < sectors; ++i)
            TRY(reader.read(reader.context, header.entries_lba + i, Bytes(array + i * SECTOR_SIZE, SECTOR_SIZE)));
        if (crc32(ReadonlyBytes(array, bytes)) != header.entries_crc)
            return Error::from_errno(EINVAL);
        for (u32 i = 0; i < header.entry_count; ++i) {
            u8 const* entry = array + usize(i) * header.entry_size;
            if (is_unused(entry))
                continue;
            u64 first = load_le64(entry + 32);
            u64 last = load_le64(entry + 40);
            Partition partition { i + 1, first, last >= first ? last - first + 1 : 0, 0, {} };
            copy_name(entry + 56, partition.name, sizeof(partition.name));
            add_partition(table, disk_sectors, partition);
        }
        return {};
    }();
    mm::kfree(array);
    return result;
}

}

ErrorOr<void> read_gpt(u64 disk_sectors, SectorReader reader, PartitionTable& table)
{
    table.scheme = Scheme::Gpt;
    auto header = read_header(reader, 1);
    if (header.is_error() || read_entries(disk_sectors, reader, header.value(), table).is_error()) {
        table.count = 0;
        log_warn("partition: the primary GPT is damaged; trying the backup in sector %lu\n", disk_sectors - 1);
        auto backup = read_header(reader, disk_sectors - 1);
        if (backup.is_error())
            return Error::from_errno(EINVAL);
        TRY(read_entries(disk_sectors, reader, backup.value(), table));
    }
    return {};
}

}
