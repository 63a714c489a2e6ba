// Memory-map sanitising: sort, clip overlaps, merge (see memory_map.h). Portable.
#include "memory_map.h"
#include <kstd/sort.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace mm {

namespace {

// Higher wins where regions overlap: memory must not be handed out if any entry says it is
// not plain RAM.
int strength(MemoryType type)
{
    switch (type) {
    case MemoryType::Usable: return 0;
    case MemoryType::AcpiReclaimable: return 1;
    case MemoryType::AcpiNvs: return 2;
    case MemoryType::Reserved: return 3;
    case MemoryType::Bad: return 4;
    }
    return 3;   // unknown types (persistent memory, ...) are treated as reserved
}

MemoryType normalised(MemoryType type)
{
    return strength(type) == 3 ? MemoryType::Reserved : type;
}

void sort_unique(u64* values, usize& count)
{
    // At most 128 boundaries, and the input is usually sorted already.
    kstd::insertion_sort(Span<u64>(values, count));
    usize out = 0;
    for (usize i = 0; i < count; ++i) {
        if (out == 0 || values[out - 1] != values[i])
            values[out++] = values[i];
    }
    count = out;
}

}

usize sanitize_memory_map(MemoryRegion const* in, usize count, MemoryRegion* out, usize capacity)
{
    count = kstd::min(count, BootInfo::max_regions);
    u64 bounds[2 * BootInfo::max_regions];
    usize bound_count = 0;
    for (usize i = 0; i < count; ++i) {
        if (in[i].length == 0)
            continue;
        bounds[bound_count++] = in[i].base;
        // Clamp entries that would wrap past the end of the address space.
        u64 end = in[i].base + in[i].length;
        bounds[bound_count++] = end < in[i].base ? ~u64(0) : end;
    }
    sort_unique(bounds, bound_count);

    usize written = 0;
    for (usize b = 0; b + 1 < bound_count; ++b) {
        u64 start = bounds[b], end = bounds[b + 1];
        int best = -1;
        MemoryType type = MemoryType::Reserved;
        for (usize i = 0; i < count; ++i) {
            u64 region_end = in[i].base + in[i].length;
            if (region_end < in[i].base)
                region_end = ~u64(0);
            if (in[i].length == 0 || in[i].base > start || region_end < end)
                continue;
            if (strength(in[i].type) > best) {
                best = strength(in[i].type);
                type = normalised(in[i].type);
            }
        }
        if (best < 0)
            continue;   // a hole between regions
        if (written > 0 && out[written - 1].type == type && out[written - 1].base + out[written - 1].length == start) {
            out[written - 1].length += end - start;
            continue;
        }
        if (written == capacity)
            break;
        out[written++] = MemoryRegion { start, end - start, type };
    }
    return written;
}

char const* memory_type_name(MemoryType type)
{
    switch (type) {
    case MemoryType::Usable: return "usable";
    case MemoryType::Reserved: return "reserved";
    case MemoryType::AcpiReclaimable: return "ACPI reclaimable";
    case MemoryType::AcpiNvs: return "ACPI NVS";
    case MemoryType::Bad: return "bad";
    }
    return "unknown";
}

}
