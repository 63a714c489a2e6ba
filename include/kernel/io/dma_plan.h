#pragma once
// The portable half of the DMA API: deciding whether a buffer can be handed to a device as it
// is, splitting it into scatter-gather segments, and the bounce-buffer slot allocator. No
// hardware, no page tables: the caller passes a translator from virtual to physical addresses,
// so the host unit tests drive all of it with a fake page table. kernel/io/dma*.cpp is the glue.
//
// Bus addresses equal physical addresses here: there is no IOMMU (the q35 VT-d is not enabled).
// Context: any. Locking: none inside (the DMA API holds its spinlock around the pool).
#include <kstd/bitmask.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace io {

// What a device can address (from dev::Device, plus per-call options).
struct DmaConstraints {
    u64 mask { ~0ull };        // highest bus address the device can reach
    u64 boundary { 0 };        // no segment may cross a multiple of this (power of two); 0: none
    u64 max_segment { 0 };     // longest segment; 0: no limit
    u64 alignment { 1 };       // every segment must start on this (power of two)
};

// Why a piece of a buffer cannot be used in place. Discontiguous and CrossesBoundary only
// matter for a single-segment mapping; a scatter-gather list splits there instead.
enum class BounceReason : u8 {
    None = 0,
    AboveMask = 1 << 0,
    CrossesBoundary = 1 << 1,
    Discontiguous = 1 << 2,
    Misaligned = 1 << 3,
};
ENUM_BITMASK(BounceReason)

// One piece of a mapping as the device sees it.
struct DmaSegment {
    u64 bus_address;        // what the device is given (a bounce slot when bounced)
    u64 length;
    u64 buffer_offset;      // where these bytes live in the mapped buffer
    u64 cpu_phys;           // physical address of those bytes in the buffer itself
    BounceReason bounce;    // None: bus_address == cpu_phys

    bool bounced() const { return bounce != BounceReason::None; }
};

// virt -> phys for the buffer's pages (the kernel passes mm::translate).
struct Translator {
    ErrorOr<u64> (*translate)(void* context, u64 virt);
    void* context;
};

// A maximal physically contiguous run of the buffer.
struct PhysChunk {
    u64 phys;
    u64 length;
    u64 buffer_offset;
};

// Yields the buffer [virt, virt + length) as maximal physically contiguous chunks, in order,
// translating each page once. next() returns false at the end; errors come from the translator.
class ChunkWalker {
public:
    static constexpr u64 PAGE = 4096;
    ChunkWalker(u64 virt, u64 length, Translator translator)
        : m_virt(virt), m_length(length), m_translator(translator) {}
    [[nodiscard]] ErrorOr<bool> next(PhysChunk& chunk);

private:
    u64 m_virt;
    u64 m_length;
    u64 m_offset { 0 };
    Translator m_translator;
    // The page after a chunk was translated to learn that the chunk ended; keep it.
    u64 m_pending_phys { 0 };
    bool m_has_pending { false };
};

// True when [phys, phys + length) lies at or below `mask`.
bool dma_reachable(u64 phys, u64 length, u64 mask);
// True when [phys, phys + length) crosses a multiple of `boundary` (never for boundary 0).
bool dma_crosses_boundary(u64 phys, u64 length, u64 boundary);

// Why mapping the whole buffer as one segment needs a bounce buffer (None: it does not).
// Also fills `first` with the first chunk (the bus address when no bounce is needed).
[[nodiscard]] ErrorOr<BounceReason> plan_single(u64 virt, u64 length, Translator translator,
    DmaConstraints const& constraints, PhysChunk& first);

// Splits the buffer into segments: at every physical discontinuity, at each boundary line and
// at max_segment. A segment that is above the mask or misaligned is marked for bouncing (its
// bounce slot must obey the same boundary, which the split already makes possible). Writes up
// to `capacity` segments to `out` (bus_address = cpu_phys; the glue replaces it for bounced
// ones) and returns how many there are in total, so a first call with capacity 0 counts them.
[[nodiscard]] ErrorOr<usize> plan_segments(u64 virt, u64 length, Translator translator,
    DmaConstraints const& constraints, DmaSegment* out, usize capacity);

// Bounce slots (Linux swiotlb's idea, written afresh): a physically contiguous pool in low
// memory cut into 2 KiB slots, allocated first-fit as runs that the device can reach, that do
// not cross its boundary and that start aligned. Bitmap, so freeing cannot fail or allocate.
class BouncePool {
public:
    static constexpr u64 SLOT_SIZE = 2048;
    static constexpr usize MAX_SLOTS = 512;   // 1 MiB

    // The pool covers [base, base + size); size is cut down to whole slots and MAX_SLOTS.
    void init(u64 base, u64 size);
    // A run for `length` bytes; returns its physical address. EINVAL: length 0 or more than the
    // boundary allows; ENOMEM: no free run satisfies the constraints (full, or above the mask).
    [[nodiscard]] ErrorOr<u64> allocate(u64 length, DmaConstraints const& constraints);
    // Returns a run from allocate() (VERIFY: inside the pool and allocated).
    void free(u64 phys, u64 length);

    bool contains(u64 phys) const { return phys >= m_base && phys < m_base + size(); }
    u64 base() const { return m_base; }
    u64 size() const { return m_slot_count * SLOT_SIZE; }
    u64 free_bytes() const { return m_free_slots * SLOT_SIZE; }

private:
    bool is_used(usize slot) const { return m_bitmap[slot / 64] >> (slot % 64) & 1; }
    void set_used(usize slot, bool used);
    bool run_is_free(usize first, usize count) const;

    u64 m_base { 0 };
    usize m_slot_count { 0 };
    usize m_free_slots { 0 };
    u64 m_bitmap[MAX_SLOTS / 64] {};
};

}
