#pragma once
// Memory-map sanitising (portable, host-tested). Firmware memory maps may be unsorted, overlap,
// or split one range into several entries; everything in mm works on the cleaned-up copy.
#include <kernel/boot_info.h>
#include <kstd/types.h>

namespace mm {

// Cutting n regions at every boundary yields at most 2n - 1 pieces, so this always suffices.
inline constexpr usize MAX_SANITIZED_REGIONS = 2 * BootInfo::max_regions;

// Writes to `out` the regions of `in` sorted by base, without overlaps (where regions overlap,
// the more restrictive type wins: Usable < AcpiReclaimable < AcpiNvs < Reserved < Bad; unknown
// types count as Reserved), without empty regions, and with touching regions of one type
// merged. Returns the number of regions written (at most `capacity`; at most `count` of the
// input are read, up to BootInfo::max_regions).
usize sanitize_memory_map(MemoryRegion const* in, usize count, MemoryRegion* out, usize capacity);

char const* memory_type_name(MemoryType type);

}
