#pragma once
// The DMA API (docs/architecture.md, "The device model"): the only way a driver gives a
// device memory to read or write. Written for Conduit; Linux's dma-mapping/swiotlb split
// (coherent vs streaming, transparent bounce) is the model.
//
//   auto ring = TRY(io::dma_alloc_coherent<RxDesc[]>(dev, 256));     // descriptor ring
//   ring[0].address = rx_map.bus_address();
//   auto map = TRY(io::dma_map(dev, buffer, io::Direction::FromDevice));
//   ... device writes, interrupt ...
//   TRY(map.sync_for_cpu());                                         // then read buffer
//
// * Coherent memory: physically contiguous, below the device's mask, not crossing its boundary,
//   zeroed, and write-back by default: x86 DMA snoops the caches, so CPU and device always see
//   the same bytes and only ordering matters (io::dma_wmb/dma_rmb, barrier.h). Uncached is
//   available for experiments; it changes the direct map's type for those pages (no alias).
// * Streaming mappings of existing buffers: the device gets bus addresses (= physical, no
//   IOMMU). A buffer above dev.dma_mask(), crossing dev.dma_boundary(), physically
//   discontiguous (a single mapping) or misaligned is bounced through a pool in low memory
//   automatically; sync_for_device()/sync_for_cpu() copy in the direction's sense, and map and
//   unmap do the implicit syncs. Without a bounce they only order memory (x86 is coherent).
// * A buffer must stay allocated while mapped. Kernel memory is never paged or moved, so
//   "pinned" means exactly that: the registry of live mappings can be asked whether a range
//   about to be freed is still mapped (dma_debug_check_free*, which kfree and the frame
//   allocator call on every free; a summary of where mappings lie keeps most calls O(1)).
// * Misuse is reported, never silent: unmapping an empty handle (twice) or through the wrong
//   device is EINVAL, a log line and a counter; mappings left when a device goes away are
//   listed by dma_report_leaks().
#include <kernel/dev/device.h>
#include <kernel/io/barrier.h>
#include <kernel/io/dma_coherent.h>
#include <kernel/io/dma_plan.h>
#include <kernel/mm/paging.h>
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/span.h>

namespace io {

using mm::CachePolicy;

enum class Direction : u8 { ToDevice, FromDevice, Bidirectional };
// "to-device", "from-device", "bidirectional". Context: any.
char const* direction_name(Direction direction);

namespace detail {
struct DmaRecord;
}

inline constexpr usize DMA_WHOLE = ~usize(0);

struct DmaSgOptions {
    u64 max_segment { 0 };     // longest segment the device takes (IDE PRD: 64 KiB); 0: any
    usize max_segments { 0 };  // most segments (PRD table size); 0: any. E2BIG when exceeded
    u64 alignment { 1 };       // segment start alignment; misaligned segments are bounced
};

// A live streaming mapping (single or scatter-gather). Move-only; the destructor unmaps.
// Context: thread or tasklet (never a top half: mapping allocates from the heap).
// Locking: the DMA API's spinlock, inside.
class DmaHandle {
public:
    DmaHandle() = default;
    DmaHandle(DmaHandle&& other);
    DmaHandle& operator=(DmaHandle&& other);
    DmaHandle(DmaHandle const&) = delete;
    DmaHandle& operator=(DmaHandle const&) = delete;
    ~DmaHandle();

    bool is_mapped() const { return m_record != nullptr; }
    usize length() const;
    Direction direction() const;
    // Segments as the device sees them (one for a DmaMapping).
    Span<DmaSegment const> segments() const;
    bool is_bounced() const;   // any segment bounced

    // Hand the bytes [offset, offset + length) of the buffer to the CPU (after the device wrote
    // them: copies bounce -> buffer for FromDevice/Bidirectional) or to the device (after the
    // CPU wrote them: buffer -> bounce for ToDevice/Bidirectional). EINVAL for an unmapped
    // handle or a range outside the mapping (counted as a bad sync).
    [[nodiscard]] ErrorOr<void> sync_for_cpu(usize offset = 0, usize length = DMA_WHOLE);
    [[nodiscard]] ErrorOr<void> sync_for_device(usize offset = 0, usize length = DMA_WHOLE);
    // Ends the mapping (copying a bounce back for FromDevice/Bidirectional). EINVAL, logged and
    // counted, when the handle is empty: already unmapped, moved from, or never mapped.
    [[nodiscard]] ErrorOr<void> unmap();

protected:
    friend ErrorOr<void> dma_unmap(dev::Device&, DmaHandle&);
    explicit DmaHandle(detail::DmaRecord* record) : m_record(record) {}
    ErrorOr<void> unmap_checked(dev::Device const* expected, void const* caller);
    detail::DmaRecord* m_record { nullptr };
};

class DmaMapping : public DmaHandle {
public:
    DmaMapping() = default;
    u64 bus_address() const;   // the one contiguous range the device may use

private:
    friend ErrorOr<DmaMapping> dma_map(dev::Device&, Bytes, Direction, u64);
    explicit DmaMapping(detail::DmaRecord* record) : DmaHandle(record) {}
};

class DmaSgList : public DmaHandle {
public:
    DmaSgList() = default;
    usize segment_count() const { return segments().size(); }

private:
    friend ErrorOr<DmaSgList> dma_map_sg(dev::Device&, Bytes, Direction, DmaSgOptions const&);
    explicit DmaSgList(detail::DmaRecord* record) : DmaHandle(record) {}
};

// Allocates the bounce pool (512 KiB below 16 MiB). Idempotent; dma_map calls it when needed,
// but boot should call it early, while low memory is plentiful. Context: thread (boot).
void dma_init();

// Maps `buffer` as one bus-address range. Bounces if needed (see above). EINVAL: empty buffer,
// or longer than the device's boundary (use dma_map_sg); ENOMEM: no bounce room reachable by
// the device, or no heap for the record; errors of mm::translate for unmapped memory.
// Context: thread or tasklet. Locking: DMA spinlock inside.
[[nodiscard]] ErrorOr<DmaMapping> dma_map(dev::Device& device, Bytes buffer, Direction direction,
                                          u64 alignment = 1);
// Maps `buffer` as a scatter-gather list: split at physical discontinuities, at the device's
// boundary and at options.max_segment; a segment above the mask or misaligned is bounced on its
// own. Errors as dma_map, plus E2BIG for more than options.max_segments segments.
// Context: thread or tasklet. Locking: DMA spinlock inside.
[[nodiscard]] ErrorOr<DmaSgList> dma_map_sg(dev::Device& device, Bytes buffer, Direction direction,
                                            DmaSgOptions const& options = {});
// Unmaps after checking that `handle` is a live mapping of `device`: EINVAL (logged, counted)
// otherwise, and the mapping stays as it was. Context: thread or tasklet.
[[nodiscard]] ErrorOr<void> dma_unmap(dev::Device& device, DmaHandle& handle);

// For the bus's remove path: logs every streaming mapping and coherent buffer `device` still
// holds, detaches them from it (their handles stay valid and free them later), and returns
// how many there were. Context: thread.
usize dma_report_leaks(dev::Device& device);

// Debug hooks for allocators: true (and a log line naming the mapping, and a counter) when
// [start, start + length) is still part of a live streaming mapping. Context: any but IRQ.
bool dma_debug_check_free(void const* start, usize length);
bool dma_debug_check_free_phys(u64 phys, usize length);

// What a device may do with a range of bus addresses: the live streaming mapping or coherent
// buffer that covers all of it. For device models (tests/unit/models: a DMA engine checks each
// access against what the driver mapped) and debugging.
struct DmaBusRange {
    u32 id;                 // as `dma` lists it
    bool coherent;          // a coherent buffer (the device may read and write it)
    Direction direction;    // streaming: the mapping's direction
};
// The live mapping whose segments (bounce slots for bounced ones) or coherent buffer contain
// [bus, bus + length) entirely; nullopt when none does: the device would touch memory that is
// not (or no longer) mapped for it. Context: any but IRQ. Locking: DMA spinlock inside.
Optional<DmaBusRange> dma_debug_lookup_bus(u64 bus, u64 length);

struct DmaStats {
    u64 mappings;               // streaming mappings made (single and scatter-gather), ever
    u64 live_mappings;          // streaming mappings not unmapped yet
    u64 sg_lists;               // scatter-gather lists made, ever
    u64 sg_segments;            // segments those lists had, ever
    u64 bounces;                // segments placed in the bounce pool, ever
    u64 bytes_bounced;          // bytes copied between buffers and bounce slots, both ways
    u64 bounce_failures;        // mappings refused: no bounce room the device can reach
    u64 coherent_allocations;   // live coherent buffers
    u64 coherent_bytes;         // bytes in live coherent buffers
    u64 bad_unmaps;             // EINVAL unmaps: empty handle (double unmap) or wrong device
    u64 bad_syncs;              // EINVAL syncs: empty handle or range outside the mapping
    u64 leaked;                 // mappings and buffers reported by dma_report_leaks
    u64 freed_while_mapped;     // hits of dma_debug_check_free*
    u64 pool_phys;              // the bounce pool: where, how big, how much is free
    u64 pool_bytes;
    u64 pool_free_bytes;
};
// A snapshot of the counters. Context: any but IRQ. Locking: DMA spinlock inside.
DmaStats dma_stats();
// The `dma` monitor command: counters and every live mapping. Context: thread.
void dma_dump();

}
