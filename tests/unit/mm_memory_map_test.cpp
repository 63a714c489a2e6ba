// Host tests for memory-map sanitising (kernel/mm/memory_map.cpp).
#include "support.h"
#include "../../kernel/mm/memory_map.h"
#include <vector>

namespace {

std::vector<MemoryRegion> sanitize(std::vector<MemoryRegion> const& in)
{
    std::vector<MemoryRegion> out(mm::MAX_SANITIZED_REGIONS);
    out.resize(mm::sanitize_memory_map(in.data(), in.size(), out.data(), out.size()));
    return out;
}

bool same(MemoryRegion const& r, u64 base, u64 length, MemoryType type)
{
    return r.base == base && r.length == length && r.type == type;
}

}

TEST_CASE("memory map: sorted, merged, empty entries dropped", "[mm][memory_map]")
{
    auto out = sanitize({
        { 0x100000, 0x100000, MemoryType::Usable },
        { 0, 0x9fc00, MemoryType::Usable },
        { 0x200000, 0x300000, MemoryType::Usable },   // touches the first: merged
        { 0x9fc00, 0x400, MemoryType::Reserved },
        { 0x800000, 0, MemoryType::Usable },           // empty
    });
    REQUIRE(out.size() == 3);
    CHECK(same(out[0], 0, 0x9fc00, MemoryType::Usable));
    CHECK(same(out[1], 0x9fc00, 0x400, MemoryType::Reserved));
    CHECK(same(out[2], 0x100000, 0x400000, MemoryType::Usable));
}

TEST_CASE("memory map: overlaps resolved in favour of the stricter type", "[mm][memory_map]")
{
    auto out = sanitize({
        { 0x100000, 0x1000000, MemoryType::Usable },
        { 0x400000, 0x2000, MemoryType::AcpiReclaimable },
        { 0x401000, 0x2000, MemoryType::Reserved },
        { 0x800000, 0x1000, MemoryType::Bad },
    });
    REQUIRE(out.size() == 6);
    CHECK(same(out[0], 0x100000, 0x300000, MemoryType::Usable));
    CHECK(same(out[1], 0x400000, 0x1000, MemoryType::AcpiReclaimable));
    CHECK(same(out[2], 0x401000, 0x2000, MemoryType::Reserved));
    CHECK(same(out[3], 0x403000, 0x3fd000, MemoryType::Usable));
    CHECK(same(out[4], 0x800000, 0x1000, MemoryType::Bad));
    CHECK(same(out[5], 0x801000, 0x8ff000, MemoryType::Usable));
    for (usize i = 1; i < out.size(); ++i)
        CHECK(out[i - 1].base + out[i - 1].length <= out[i].base);
}

TEST_CASE("memory map: unknown types count as reserved; huge regions clamp", "[mm][memory_map]")
{
    auto out = sanitize({
        { 0x1000, 0x1000, MemoryType(7) },   // persistent memory, say
        { 0xfd00000000, 0x300000000, MemoryType::Reserved },
        { 0xfffffffffffff000, 0x2000, MemoryType::Reserved },   // wraps
    });
    REQUIRE(out.size() == 3);
    CHECK(same(out[0], 0x1000, 0x1000, MemoryType::Reserved));
    CHECK(out[2].base + out[2].length == ~u64(0));
    CHECK(mm::memory_type_name(MemoryType::AcpiNvs) == std::string("ACPI NVS"));
}

TEST_CASE("memory map: output capacity is respected", "[mm][memory_map]")
{
    std::vector<MemoryRegion> in;
    for (u64 i = 0; i < 10; ++i)
        in.push_back({ i * 0x2000, 0x1000, i % 2 ? MemoryType::Usable : MemoryType::Reserved });
    MemoryRegion out[4];
    CHECK(mm::sanitize_memory_map(in.data(), in.size(), out, 4) == 4);
    CHECK(same(out[3], 0x6000, 0x1000, MemoryType::Usable));
}
