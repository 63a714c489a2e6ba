// Coherent DMA buffers (include/kernel/io/dma.h): physically contiguous frames below the
// device's mask, inside one boundary line, zeroed, reached through the direct map.
//
// Write-back is the default and the right choice on x86: devices snoop the caches, so the CPU
// and the device see the same bytes, and only ordering needs care (io::dma_wmb/dma_rmb).
// Uncached is offered for experiments (and for devices that misbehave with snooping, which
// QEMU's do not): the direct map's entries for these frames are switched to UC instead of
// mapping them a second time, because two mappings with different memory types are undefined
// behaviour (SDM 11.12.4). They go back to write-back before the frames are freed.
// Write-through and write-combining RAM are not offered (no use for descriptors).
#include "dma_internal.h"
#include <arch/barrier.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace io::detail {

namespace {

constexpr u64 PHYS_LIMIT = 1ull << 52;
constexpr u64 CACHE_LINE = 64;

// alloc_contiguous wants an exclusive upper bound; a mask says the highest reachable byte.
u64 max_phys_for(u64 mask) { return mask >= PHYS_LIMIT - 1 ? PHYS_LIMIT : mask + 1; }

u64 round_up_to_power_of_two(u64 value)
{
    u64 result = 1;
    while (result < value)
        result <<= 1;
    return result;
}

// After the switch to UC, write back and drop whatever the caches still hold for these lines
// (the frames' previous life): a dirty line evicted later would overwrite what the device
// wrote. clflush works on any memory type and is in every x86_64 CPU (SSE2).
void flush_cache_lines(u64 virt, u64 bytes)
{
    for (u64 line = virt; line < virt + bytes; line += CACHE_LINE)
        arch::flush_cache_line(line);
    mb();   // clflush is ordered only by fences
}

}

ErrorOr<CoherentBuffer> allocate_coherent(dev::Device& device, usize bytes, usize alignment, mm::CachePolicy policy)
{
    if (bytes == 0 || !kstd::is_power_of_two(alignment))
        return Error::from_errno(EINVAL);
    if (policy != mm::CachePolicy::WriteBack && policy != mm::CachePolicy::Uncached)
        return Error::from_errno(EINVAL);
    u64 boundary = device.dma_boundary();
    if (boundary != 0 && bytes > boundary)
        return Error::from_errno(EINVAL);
    // A naturally aligned power-of-two block never crosses a multiple of a larger power of two,
    // so aligning to the size rounded up keeps the buffer inside one boundary line.
    u64 align = kstd::max<u64>(alignment, mm::PAGE_SIZE);
    if (boundary != 0)
        align = kstd::max(align, round_up_to_power_of_two(bytes));
    usize frames = usize(kstd::align_up(bytes, mm::PAGE_SIZE) / mm::PAGE_SIZE);

    auto record = TRY(kstd::make<DmaRecord>());
    u64 phys = TRY(mm::alloc_contiguous(frames, align, max_phys_for(device.dma_mask())));
    u64 virt = mm::phys_to_virt(phys);
    if (policy == mm::CachePolicy::Uncached) {
        if (auto result = mm::protect(virt, frames * mm::PAGE_SIZE, mm::KERNEL_DATA, policy); result.is_error()) {
            mm::free_contiguous(phys, frames);
            return result.release_error();
        }
        flush_cache_lines(virt, frames * mm::PAGE_SIZE);
    }
    memset(reinterpret_cast<void*>(virt), 0, frames * mm::PAGE_SIZE);

    record->kind = DmaKind::Coherent;
    record->direction = Direction::Bidirectional;
    record->cpu = reinterpret_cast<u8*>(virt);
    record->length = bytes;
    record->frames = frames;
    record->policy = policy;
    record->inline_segment = DmaSegment { phys, bytes, 0, phys, BounceReason::None };
    record->segments = &record->inline_segment;
    record->segment_count = 1;
    record->mapped_by = __builtin_return_address(0);
    register_record(*record, device);
    return CoherentBuffer(record.leak_ptr());
}

CoherentBuffer::CoherentBuffer(CoherentBuffer&& other) : m_record(kstd::exchange(other.m_record, nullptr)) {}

CoherentBuffer& CoherentBuffer::operator=(CoherentBuffer&& other)
{
    if (this != &other) {
        release();
        m_record = kstd::exchange(other.m_record, nullptr);
    }
    return *this;
}

void* CoherentBuffer::cpu() const { return m_record ? m_record->cpu : nullptr; }
u64 CoherentBuffer::bus_address() const { return m_record ? m_record->inline_segment.bus_address : 0; }
usize CoherentBuffer::size() const { return m_record ? m_record->length : 0; }
mm::CachePolicy CoherentBuffer::policy() const { return m_record ? m_record->policy : mm::CachePolicy::WriteBack; }

void CoherentBuffer::release()
{
    DmaRecord* record = kstd::exchange(m_record, nullptr);
    if (!record)
        return;
    // A record that is not live cannot be freed safely: leave it (logged and counted).
    if (unregister_record(record, nullptr, "coherent free", __builtin_return_address(0)).is_error())
        return;
    u64 phys = record->inline_segment.cpu_phys;
    u64 bytes = record->frames * mm::PAGE_SIZE;
    bool reusable = true;
    if (record->policy == mm::CachePolicy::Uncached) {
        auto result = mm::protect(mm::phys_to_virt(phys), bytes, mm::KERNEL_DATA, mm::CachePolicy::WriteBack);
        if (result.is_error()) {
            // Frames left UC in the direct map must not go back to the allocator.
            log_error("dma: restoring write-back at %#lx failed (%s): leaking %zu frames\n", phys,
                      result.error().name(), record->frames);
            reusable = false;
        }
    }
    if (reusable)
        mm::free_contiguous(phys, record->frames);
    destroy_record(record);
}

}
