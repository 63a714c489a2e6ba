#pragma once
// The e1000's descriptor rings: the memory the driver and the NIC share, and the code that moves
// frames through it (tx.cpp, rx.cpp; lab 7 parts 2 and 3). See docs/network.md for the picture.
//
// A ring is an array of descriptors in coherent DMA memory plus two indexes in NIC registers:
//   head (TDH/RDH)  the NIC's position: the next descriptor it will process; only it moves head
//   tail (TDT/RDT)  the driver's position: one past the last descriptor it has handed over
// The NIC owns the descriptors from head up to tail - 1; the driver owns the rest. Ownership
// passes to the NIC by writing tail, and back to the driver by the NIC setting DD (descriptor
// done) in the descriptor's status. head == tail means the NIC owns nothing, so the driver
// always keeps one descriptor back: a "full" ring has count - 1 descriptors in flight.
//
// This part of the driver has no kernel-only dependencies (no PCI, IRQ or scheduler): the host
// unit tests run it against a register-level model of the NIC (tests/unit/models/e1000_model.h)
// through the same register window and DMA API. Locking is the caller's (Nic::tx_lock for TX;
// the RX side runs in one bottom half at a time).
#include "e1000_regs.h"
#include <kernel/dev/packet.h>
#include <kernel/io/dma.h>
#include <kstd/error.h>
#include <kstd/new.h>
#include <kstd/unique_ptr.h>

namespace e1000 {

// A fixed array of `count` T on the heap (no std::vector in the kernel).
template<typename T>
class SlotArray {
public:
    SlotArray() = default;
    SlotArray(SlotArray const&) = delete;
    SlotArray& operator=(SlotArray const&) = delete;
    ~SlotArray() { release(); }

    // Errors: ENOMEM. Replaces what was there.
    [[nodiscard]] ErrorOr<void> allocate(u32 count)
    {
        release();
        m_items = new (kstd::nothrow) T[count];
        if (!m_items)
            return Error::from_errno(ENOMEM);
        m_count = count;
        return {};
    }
    void release()
    {
        delete[] m_items;
        m_items = nullptr;
        m_count = 0;
    }
    T& operator[](u32 index)
    {
        VERIFY(index < m_count);
        return m_items[index];
    }
    u32 count() const { return m_count; }

private:
    T* m_items { nullptr };
    u32 m_count { 0 };
};

// What the driver keeps for each descriptor: the frame whose buffer the descriptor points at,
// and its streaming DMA mapping. Both stay alive while the NIC owns the descriptor.
struct Slot {
    OwnPtr<dev::Packet> packet;
    io::DmaMapping map;
};

struct TxRing {
    io::DmaCoherent<TxDesc[]> desc;
    SlotArray<Slot> slots;
    u32 count { 0 };
    u32 next_to_use { 0 };     // the descriptor the next frame goes into (TDT follows it)
    u32 next_to_clean { 0 };   // the oldest descriptor handed to the NIC and not reclaimed
};

struct RxRing {
    io::DmaCoherent<RxDesc[]> desc;
    SlotArray<Slot> slots;
    u32 count { 0 };
    u32 next_to_clean { 0 };   // the next descriptor the NIC fills; RDT is one behind it
    bool discarding { false }; // inside a frame that spans descriptors (too long): dropping it
};

// Counters kept by the ring code (the netdev class counts packets and bytes itself).
struct RingStats {
    u64 tx_queued;             // frames put on the TX ring
    u64 tx_reclaimed;          // descriptors reclaimed after DD
    u64 tx_ring_full;          // xmit refused with EBUSY: no free descriptor
    u64 tx_map_errors;         // xmit refused: the frame could not be mapped for DMA
    u64 rx_frames;             // frames handed up
    u64 rx_frame_errors;       // descriptors with a CRC/symbol/sequence error: dropped
    u64 rx_length_errors;      // frames spread over several descriptors (too long): dropped
    u64 rx_no_buffer;          // no new buffer for a slot: the frame was dropped, its buffer reused
    u64 rx_ring_exhausted;     // polls that found every descriptor done: the NIC had none free
};

// Where received frames go: netdev::receive in the kernel, a recorder in the host tests.
using DeliverFunction = void (*)(void* ctx, OwnPtr<dev::Packet> frame);

// The part of the NIC the ring code works on.
struct Rings {
    io::MmioWindow regs;
    dev::Device* dma_device { nullptr };
    TxRing tx;
    RxRing rx;
    DeliverFunction deliver { nullptr };
    void* deliver_ctx { nullptr };
    RingStats stats {};
};

// --- TX (tx.cpp, lab 7 part 2) ------------------------------------------------------------------
// Allocates `count` descriptors (a multiple of 8), programs TDBAL/TDBAH/TDLEN, TDH = TDT = 0,
// TIPG and TCTL (enable, pad short frames). Errors: EINVAL (bad count), ENOMEM. Context: thread.
[[nodiscard]] ErrorOr<void> tx_init(Rings& rings, u32 count);
// Disables the transmitter and frees every frame still on the ring (unmapping it). Call after
// the NIC can no longer interrupt. Context: thread.
void tx_free(Rings& rings);
// Puts one frame on the ring: maps it, fills the descriptor at next_to_use (EOP, IFCS, RS),
// and only then advances TDT. EBUSY when no descriptor is free; the frame is dropped then.
// Context: thread or tasklet. Locking: the caller serialises TX (Nic::tx_lock).
[[nodiscard]] ErrorOr<void> tx_frame(Rings& rings, OwnPtr<dev::Packet> frame);
// Reclaims sent descriptors, oldest first, while their DD bit is set: unmaps and frees each
// frame. Returns how many. Context: tasklet or thread. Locking: as tx_frame.
u32 tx_reclaim(Rings& rings);
// Descriptors handed to the NIC and not yet reclaimed.
u32 tx_in_flight(TxRing const& ring);

// --- RX (rx.cpp, lab 7 part 3) ------------------------------------------------------------------
// Allocates `count` descriptors and a 2 KiB buffer for each (mapped from-device), programs
// RDBAL/RDBAH/RDLEN, RDH = 0 and RDT = count - 1, then enables the receiver (RCTL).
// Errors: EINVAL, ENOMEM. Context: thread.
[[nodiscard]] ErrorOr<void> rx_init(Rings& rings, u32 count);
// Disables the receiver and frees the buffers. Context: thread.
void rx_free(Rings& rings);
// Hands at most `budget` received frames up (rings.deliver), oldest first, while DD is set;
// gives each slot a fresh buffer (or its old one back, dropping the frame, when none can be
// had) and then returns the slots to the NIC with one RDT write. Returns the number of
// descriptors consumed (<= budget). Context: one bottom half at a time.
u32 rx_receive(Rings& rings, u32 budget);

// The ring operations as a table, so that the grader's purpose-made wrong drivers
// (e1000_wrong.instructor.cpp) can replace them one at a time.
struct RingOps {
    char const* name;
    ErrorOr<void> (*tx_frame)(Rings& rings, OwnPtr<dev::Packet> frame);
    u32 (*tx_reclaim)(Rings& rings);
    u32 (*rx_receive)(Rings& rings, u32 budget);
};
extern RingOps const driver_ring_ops;

}
