// The models' physical memory (phys_memory.h), and the host definitions of the memory-manager
// functions the DMA API needs, in terms of it.
#include <kstd/error.h>
#include "phys_memory.h"
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <cstdlib>
#include <cstring>

namespace models {

struct PhysMemory::Region {
    Zone zone;
    u64 phys_base;
    usize pages;
    u8* host { nullptr };
    std::vector<bool> used;
    std::vector<usize> run_length;   // at the first page of each allocation: its pages

    // Host page i holds physical page page_phys(i) (reversed in the scattered zone).
    u64 page_phys(usize i) const { return phys_base + PAGE * (zone == Zone::Scattered ? pages - 1 - i : i); }
    usize host_page_of_phys(u64 phys) const
    {
        usize frame = usize((phys - phys_base) / PAGE);
        return zone == Zone::Scattered ? pages - 1 - frame : frame;
    }
    bool contains_phys(u64 phys) const { return phys >= phys_base && phys < phys_base + pages * PAGE; }
    bool contains_host(u8 const* p) const { return p >= host && p < host + pages * PAGE; }

    // First fit of `count` free pages whose first physical address is aligned and whose end
    // is at or below `max_phys`. Physical contiguity: host pages are contiguous in physical
    // order except in the scattered zone, which never serves multi-page frame requests.
    std::optional<usize> find_run(usize count, u64 align, u64 max_phys) const
    {
        for (usize first = 0; first + count <= pages; ++first) {
            u64 phys = page_phys(first);
            if (phys % align != 0 || phys + count * PAGE > max_phys)
                continue;
            bool free = true;
            for (usize i = first; i < first + count && free; ++i)
                free = !used[i];
            if (free)
                return first;
        }
        return std::nullopt;
    }
    void mark(usize first, usize count)
    {
        for (usize i = first; i < first + count; ++i)
            used[i] = true;
        run_length[first] = count;
        std::memset(host + first * PAGE, 0, count * PAGE);
    }
};

namespace {

constexpr u64 MIB = 1024 * 1024;

struct RegionSpec {
    Zone zone;
    u64 phys_base;
    u64 bytes;
};
constexpr RegionSpec REGIONS[] = {
    { Zone::Dma, 1 * MIB, 8 * MIB },
    { Zone::Dma32, 64 * MIB, 32 * MIB },
    { Zone::High, 4096 * MIB, 8 * MIB },
    { Zone::Scattered, 128 * MIB, 8 * MIB },
};

}

PhysMemory::PhysMemory()
{
    for (auto const& spec : REGIONS) {
        auto* region = new Region { spec.zone, spec.phys_base, usize(spec.bytes / PAGE) };
        region->host = static_cast<u8*>(std::aligned_alloc(PAGE, spec.bytes));
        VERIFY(region->host);
        region->used.assign(region->pages, false);
        region->run_length.assign(region->pages, 0);
        m_regions.push_back(region);
    }
}

PhysMemory::~PhysMemory()
{
    for (auto* region : m_regions) {
        std::free(region->host);
        delete region;
    }
}

PhysMemory& phys_memory()
{
    static PhysMemory instance;
    return instance;
}

void* PhysMemory::allocate(usize bytes, Zone zone)
{
    usize count = usize((bytes + PAGE - 1) / PAGE);
    for (auto* region : m_regions) {
        if (region->zone != zone || count == 0)
            continue;
        // Host contiguity is what a virtual buffer needs; any alignment of the first page.
        for (usize first = 0; first + count <= region->pages; ++first) {
            bool free = true;
            for (usize i = first; i < first + count && free; ++i)
                free = !region->used[i];
            if (free) {
                region->mark(first, count);
                return region->host + first * PAGE;
            }
        }
    }
    return nullptr;
}

void PhysMemory::free(void* pointer)
{
    Region* region = region_of_host(pointer);
    VERIFY(region);
    usize first = usize((static_cast<u8*>(pointer) - region->host) / PAGE);
    usize count = region->run_length[first];
    VERIFY(count > 0);
    for (usize i = first; i < first + count; ++i)
        region->used[i] = false;
    region->run_length[first] = 0;
}

std::optional<u64> PhysMemory::allocate_frames(usize count, u64 align, u64 max_phys)
{
    for (auto* region : m_regions) {
        if (region->zone == Zone::Scattered && count > 1)
            continue;
        if (auto first = region->find_run(count, align, max_phys)) {
            region->mark(*first, count);
            return region->page_phys(*first);
        }
    }
    return std::nullopt;
}

void PhysMemory::free_frames(u64 phys, usize count)
{
    Region* region = region_of_phys(phys);
    VERIFY(region);
    free(region->host + region->host_page_of_phys(phys) * PAGE);
    (void)count;
}

PhysMemory::Region* PhysMemory::region_of_phys(u64 phys) const
{
    for (auto* region : m_regions) {
        if (region->contains_phys(phys))
            return region;
    }
    return nullptr;
}

PhysMemory::Region* PhysMemory::region_of_host(void const* pointer) const
{
    for (auto* region : m_regions) {
        if (region->contains_host(static_cast<u8 const*>(pointer)))
            return region;
    }
    return nullptr;
}

std::optional<u64> PhysMemory::to_phys(void const* pointer) const
{
    Region* region = region_of_host(pointer);
    if (!region)
        return std::nullopt;
    usize offset = usize(static_cast<u8 const*>(pointer) - region->host);
    return region->page_phys(offset / PAGE) + offset % PAGE;
}

u8* PhysMemory::to_host(u64 phys) const
{
    Region* region = region_of_phys(phys);
    if (!region)
        return nullptr;
    return region->host + region->host_page_of_phys(phys) * PAGE + phys % PAGE;
}

bool PhysMemory::read(u64 phys, void* out, usize length) const
{
    auto* dest = static_cast<u8*>(out);
    while (length > 0) {
        u8* host = to_host(phys);
        if (!host)
            return false;
        usize chunk = usize(std::min<u64>(length, PAGE - phys % PAGE));
        std::memcpy(dest, host, chunk);
        dest += chunk;
        phys += chunk;
        length -= chunk;
    }
    return true;
}

bool PhysMemory::write(u64 phys, void const* data, usize length)
{
    auto const* source = static_cast<u8 const*>(data);
    while (length > 0) {
        u8* host = to_host(phys);
        if (!host)
            return false;
        usize chunk = usize(std::min<u64>(length, PAGE - phys % PAGE));
        std::memcpy(host, source, chunk);
        source += chunk;
        phys += chunk;
        length -= chunk;
    }
    return true;
}

usize PhysMemory::pages_in_use() const
{
    usize count = 0;
    for (auto* region : m_regions) {
        for (bool used : region->used)
            count += used;
    }
    return count;
}

}

// ---- the memory manager, on the host -------------------------------------------------------

ErrorOr<u64> mm::translate(u64 virt)
{
    auto phys = models::phys_memory().to_phys(reinterpret_cast<void const*>(virt));
    if (!phys)
        return Error::from_errno(ENOENT);
    return *phys;
}

ErrorOr<u64> mm::alloc_contiguous(usize count, u64 align, u64 max_phys)
{
    auto phys = models::phys_memory().allocate_frames(count, align, max_phys);
    if (!phys)
        return Error::from_errno(ENOMEM);
    return *phys;
}

void mm::free_contiguous(u64 phys, usize count) { models::phys_memory().free_frames(phys, count); }

// Cache policies mean nothing to host memory.
ErrorOr<void> mm::protect(u64, u64, PageFlags, CachePolicy) { return {}; }

u64 mm::phys_to_virt(u64 phys)
{
    u8* host = models::phys_memory().to_host(phys);
    VERIFY(host);
    return reinterpret_cast<u64>(host);
}
