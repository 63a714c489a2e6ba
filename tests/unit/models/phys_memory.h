#pragma once
// The models' "physical memory" (host unit tests): host memory with physical addresses, so
// that DMA descriptors and buffers a driver builds are read and written by a device model
// through the bus addresses the driver gave it.
//
// The kernel's mm::translate, mm::alloc_contiguous/free_contiguous, mm::protect and
// mm::phys_to_virt are defined on the host over this memory (phys_memory.cpp), which lets the
// kernel's own DMA API (kernel/io/dma_*.cpp: the planner, bounce pool, registry and coherent
// allocator) run unchanged in the host tests: dma_map_sg of a buffer from here yields real
// segments, bounced when they are out of the device's reach.
//
// Regions (fixed physical addresses, so tests can state what to expect):
//   Zone::Dma        [1 MiB, 9 MiB)        below 16 MiB: the bounce pool lives here
//   Zone::Dma32      [64 MiB, 96 MiB)      ordinary memory a 32-bit device reaches
//   Zone::High       [4 GiB, 4 GiB+8 MiB)  above a 32-bit mask: mappings bounce
//   Zone::Scattered  [128 MiB, 136 MiB)    virtually contiguous, but consecutive pages are in
//                                          reverse physical order: every page starts a segment
// Memory anywhere else (the test's stack, std::vector) has no physical address: mm::translate
// says ENOENT, so the DMA API refuses it, as the kernel would refuse an unmapped pointer.
#include <kstd/types.h>
#include <optional>
#include <vector>

namespace models {

enum class Zone : u8 { Dma, Dma32, High, Scattered };

class PhysMemory {
public:
    static constexpr u64 PAGE = 4096;

    PhysMemory();
    ~PhysMemory();
    PhysMemory(PhysMemory const&) = delete;
    PhysMemory& operator=(PhysMemory const&) = delete;

    // Page-aligned, zeroed memory in `zone` (whole pages). nullptr when the zone is full.
    void* allocate(usize bytes, Zone zone = Zone::Dma32);
    void free(void* pointer);
    // Frames for mm::alloc_contiguous: physically contiguous, aligned, ending at or below
    // max_phys (exclusive); the lowest zone that can serve it.
    std::optional<u64> allocate_frames(usize count, u64 align, u64 max_phys);
    void free_frames(u64 phys, usize count);

    std::optional<u64> to_phys(void const* pointer) const;
    // The host address of `phys`, or nullptr when nothing is there.
    u8* to_host(u64 phys) const;
    // Copies between physical memory and the host, page by page (ranges may span pages that
    // are not adjacent on the host). False when any byte has no memory behind it.
    bool read(u64 phys, void* out, usize length) const;
    bool write(u64 phys, void const* data, usize length);

    usize pages_in_use() const;

private:
    struct Region;
    Region* region_of_phys(u64 phys) const;
    Region* region_of_host(void const* pointer) const;
    std::vector<Region*> m_regions;
};

PhysMemory& phys_memory();

}
