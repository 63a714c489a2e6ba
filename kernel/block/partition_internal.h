#pragma once
// Shared by the partition-table files (not a public interface).
#include <kernel/block/partition.h>

namespace block::internal {

inline u16 load_le16(u8 const* p) { return u16(p[0] | p[1] << 8); }
inline u32 load_le32(u8 const* p) { return u32(p[0]) | u32(p[1]) << 8 | u32(p[2]) << 16 | u32(p[3]) << 24; }
inline u64 load_le64(u8 const* p) { return u64(load_le32(p)) | u64(load_le32(p + 4)) << 32; }

bool has_mbr_signature(u8 const* mbr);
bool is_protective_mbr(u8 const* mbr);
// Adds a partition after checking it lies inside the disk (logs and skips it otherwise).
void add_partition(PartitionTable& table, u64 disk_sectors, Partition const& partition);

[[nodiscard]] ErrorOr<void> read_mbr(u64 disk_sectors, SectorReader reader, u8 const* mbr, PartitionTable& table);
[[nodiscard]] ErrorOr<void> read_gpt(u64 disk_sectors, SectorReader reader, PartitionTable& table);

}
