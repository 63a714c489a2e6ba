#pragma once
// Coherent DMA buffers, the half of the DMA API for descriptor rings and status blocks
// (included by dma.h; see its header comment for the model):
//
//   auto ring = TRY(io::dma_alloc_coherent<RxDesc[]>(dev, 256));
//   ring[i].address = ...;  io::dma_wmb();  ring[i].status = 0;
//   regs.write(rdba, ring.bus_address());
//
// The memory is physically contiguous, below dev.dma_mask(), inside one dev.dma_boundary()
// line, page-aligned (or more, for T's alignment), zeroed, and write-back unless Uncached is
// asked for. The destructor frees it (after restoring write-back). A buffer still held when its
// device goes away is reported by dma_report_leaks() like a streaming mapping.
#include <kernel/dev/device.h>
#include <kernel/mm/paging.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/utility.h>

namespace io {

namespace detail {

struct DmaRecord;

// The untyped owner behind DmaCoherent<T>: frees (and restores write-back) in its destructor.
class CoherentBuffer {
public:
    CoherentBuffer() = default;
    CoherentBuffer(CoherentBuffer&& other);
    CoherentBuffer& operator=(CoherentBuffer&& other);
    CoherentBuffer(CoherentBuffer const&) = delete;
    CoherentBuffer& operator=(CoherentBuffer const&) = delete;
    ~CoherentBuffer() { release(); }

    bool is_valid() const { return m_record != nullptr; }
    void* cpu() const;
    u64 bus_address() const;
    usize size() const;
    mm::CachePolicy policy() const;
    // Frees the buffer now (the destructor does the same). Context: thread.
    void release();

private:
    friend ErrorOr<CoherentBuffer> allocate_coherent(dev::Device&, usize, usize, mm::CachePolicy);
    explicit CoherentBuffer(DmaRecord* record) : m_record(record) {}
    DmaRecord* m_record { nullptr };
};

// EINVAL: zero size, or larger than the device's boundary; ENOMEM: no contiguous run below the
// mask. Context: thread.
[[nodiscard]] ErrorOr<CoherentBuffer> allocate_coherent(dev::Device& device, usize bytes, usize alignment,
                                                        mm::CachePolicy policy);

template<typename T> struct CoherentShape { static constexpr bool is_array = false; };
template<typename T> struct CoherentShape<T[]> {
    static constexpr bool is_array = true;
    using Element = T;
};

}

// One T (a register-like status block) in coherent memory. T is used as plain memory: zeroed,
// no constructor or destructor runs, so keep it a descriptor struct.
template<typename T>
class DmaCoherent : public detail::CoherentBuffer {
public:
    DmaCoherent() = default;
    explicit DmaCoherent(detail::CoherentBuffer&& buffer) : CoherentBuffer(kstd::move(buffer)) {}
    T* ptr() const { return static_cast<T*>(cpu()); }
    T* operator->() const { return ptr(); }
    T& operator*() const { return *ptr(); }
};

// An array of T (a descriptor ring).
template<typename T>
class DmaCoherent<T[]> : public detail::CoherentBuffer {
public:
    DmaCoherent() = default;
    explicit DmaCoherent(detail::CoherentBuffer&& buffer) : CoherentBuffer(kstd::move(buffer)) {}
    usize count() const { return size() / sizeof(T); }
    T& operator[](usize index) const
    {
        VERIFY(index < count());
        return static_cast<T*>(cpu())[index];
    }
    Span<T> span() const { return { static_cast<T*>(cpu()), count() }; }
    u64 bus_address_of(usize index) const { return bus_address() + index * sizeof(T); }
};

// Allocates one T (dma_alloc_coherent<T>(dev)) or an array (dma_alloc_coherent<T[]>(dev, n)).
// EINVAL: larger than the device's boundary, or a policy other than WriteBack/Uncached;
// ENOMEM: no contiguous run below the mask. Context: thread (not IRQ or tasklet: the frame
// allocator and page tables). Locking: the frame allocator's, then the DMA spinlock.
template<typename T>
    requires(!detail::CoherentShape<T>::is_array)
[[nodiscard]] ErrorOr<DmaCoherent<T>> dma_alloc_coherent(dev::Device& device,
    mm::CachePolicy policy = mm::CachePolicy::WriteBack)
{
    return DmaCoherent<T>(TRY(detail::allocate_coherent(device, sizeof(T), alignof(T), policy)));
}

// EINVAL also for count 0 or a size that overflows.
template<typename T>
    requires(detail::CoherentShape<T>::is_array)
[[nodiscard]] ErrorOr<DmaCoherent<T>> dma_alloc_coherent(dev::Device& device, usize count,
    mm::CachePolicy policy = mm::CachePolicy::WriteBack)
{
    using Element = typename detail::CoherentShape<T>::Element;
    if (count == 0 || count > ~usize(0) / sizeof(Element))
        return Error::from_errno(EINVAL);
    return DmaCoherent<T>(TRY(detail::allocate_coherent(device, count * sizeof(Element), alignof(Element), policy)));
}

}
