// The e1000 receive ring (lab 7, part 3; lab/07-e1000/README.md).
//
// Receiving runs the other way round from sending: the driver hands the NIC empty buffers in
// advance (one per descriptor, up to the tail RDT), and the NIC fills them as frames arrive,
// writing each frame's length and status into its descriptor and setting DD last. The driver
// finds the finished ones by looking at DD, starting where it stopped the last time
// (next_to_clean), takes each frame out, puts a fresh buffer in its place, and gives the
// descriptors back by moving RDT, once per batch.
//
// The rules the NIC relies on: never look at a descriptor's length before its DD bit says it is
// done; never hand a buffer up while the NIC may still write into it (the descriptor gets a new
// buffer first); and keep one descriptor back, because RDT == RDH means "no buffers".
// 8254x SDM 3.2 (receive descriptors), 3.2.6 (the ring), 14.4 (receive initialisation).
#include "rings.h"
#include <kstd/string.h>

namespace e1000 {

namespace {

u8 read_status(u8 const& status) { return __atomic_load_n(&status, __ATOMIC_RELAXED); }

[[maybe_unused]] bool valid_ring_size(u32 count) { return count >= MIN_RING && count <= MAX_RING && count % 8 == 0; }

// A buffer the NIC may fill: a 2 KiB frame aligned to 2 KiB (so it never crosses a page and
// maps as one DMA segment), mapped from-device. Given, not part of the lab. Context: thread or
// tasklet.
[[maybe_unused]] ErrorOr<void> rx_fill_slot(Rings& rings, Slot& slot)
{
    auto packet = TRY(dev::Packet::create(RX_BUFFER_SIZE, RX_BUFFER_SIZE));
    slot.map = TRY(io::dma_map(*rings.dma_device, packet->storage(), io::Direction::FromDevice));
    slot.packet = kstd::move(packet);
    return {};
}

// Frames up to this size are copied into a small packet and the ring keeps its buffer, still
// mapped ("copybreak", as Linux's e1000 does): for small frames a copy is cheaper than a new
// 2 KiB buffer and its mapping.
constexpr u16 COPYBREAK = 256;

// Takes the finished frame out of `slot` and leaves a buffer the NIC may fill in its place: the
// frame, or nullptr when no memory could be had (the old buffer stays, the frame is lost). Given,
// not part of the lab. Context: as rx_receive.
[[maybe_unused]] OwnPtr<dev::Packet> rx_take_frame(Rings& rings, Slot& slot, u16 length)
{
    if (length <= COPYBREAK) {
        auto copy = dev::Packet::create(length ? length : 1);
        if (copy.is_error() || slot.map.sync_for_cpu(0, length).is_error()) {
            ++rings.stats.rx_no_buffer;
            return nullptr;
        }
        memcpy(copy.value()->storage().data(), slot.packet->storage().data(), length);
        (void)copy.value()->set_size(length);
        (void)slot.map.sync_for_device(0, length);   // the buffer goes back to the NIC as it was
        return copy.release_value();
    }
    Slot fresh;
    if (rx_fill_slot(rings, fresh).is_error()) {
        ++rings.stats.rx_no_buffer;
        return nullptr;
    }
    (void)slot.map.unmap();   // ends the NIC's access (and copies a bounce buffer back)
    OwnPtr<dev::Packet> frame = kstd::move(slot.packet);
    slot.packet = kstd::move(fresh.packet);
    slot.map = kstd::move(fresh.map);
    (void)frame->set_size(length);   // length <= RX_BUFFER_SIZE, the capacity
    return frame;
}

// True when the NIC has used every descriptor it was given: the last one before the tail is
// done, so frames that arrived meanwhile found no buffer (counted by the NIC as RNBC/RXO).
[[maybe_unused]] bool rx_ring_exhausted(RxRing const& ring)
{
    u32 last_given = (ring.next_to_clean + ring.count - 2) % ring.count;
    return (read_status(ring.desc[last_given].status) & rxstatus::DD) != 0;
}

}


ErrorOr<void> rx_init([[maybe_unused]] Rings& rings, [[maybe_unused]] u32 count)
{
    // BEGIN LAB 7
    if (!valid_ring_size(count))
        return Error::from_errno(EINVAL);
    RxRing& ring = rings.rx;
    ring.desc = TRY(io::dma_alloc_coherent<RxDesc[]>(*rings.dma_device, count));
    TRY(ring.slots.allocate(count));
    ring.count = count;
    ring.next_to_clean = 0;
    ring.discarding = false;
    for (u32 i = 0; i < count; ++i) {
        TRY(rx_fill_slot(rings, ring.slots[i]));
        ring.desc[i].address = ring.slots[i].map.bus_address();
    }
    u64 base = ring.desc.bus_address();
    rings.regs.write(regs::rdbal, u32(base));
    rings.regs.write(regs::rdbah, u32(base >> 32));
    rings.regs.write(regs::rdlen, count * DESCRIPTOR_SIZE);
    rings.regs.write(regs::rdtr, 0);   // interrupt at once for each frame (no delay timer)
    rings.regs.write(regs::radv, 0);
    rings.regs.write(regs::rdh, 0);
    io::dma_wmb();
    rings.regs.write(regs::rdt, count - 1);   // every descriptor but one belongs to the NIC
    rings.regs.write(regs::rctl, Rctl::Enable | Rctl::BroadcastAccept | Rctl::StripCrc | Rctl::BufferSize2048
                                     | Rctl::DescMinThresholdHalf);
    return {};
    // END LAB 7
    // STUB LAB 7: return Error::from_errno(ENOSYS);   // lab 7: allocate the RX ring and its buffers, program RDBAL..RCTL
}

void rx_free(Rings& rings)
{
    RxRing& ring = rings.rx;
    if (ring.count == 0)
        return;
    rings.regs.write(regs::rctl, Rctl::None);
    for (u32 i = 0; i < ring.slots.count(); ++i) {
        Slot& slot = ring.slots[i];
        if (slot.map.is_mapped())
            (void)slot.map.unmap();
        slot.packet = nullptr;
    }
    ring.slots.release();
    ring.desc.release();
    ring.count = ring.next_to_clean = 0;
}

u32 rx_receive([[maybe_unused]] Rings& rings, [[maybe_unused]] u32 budget)
{
    // BEGIN LAB 7
    RxRing& ring = rings.rx;
    if (rx_ring_exhausted(ring))
        ++rings.stats.rx_ring_exhausted;
    u32 done = 0;
    while (done < budget) {
        u32 const index = ring.next_to_clean;
        RxDesc& desc = ring.desc[index];
        u8 const status = read_status(desc.status);
        if (!(status & rxstatus::DD))
            break;   // the NIC has not filled this one yet
        io::dma_rmb();   // read length and errors only after DD
        Slot& slot = ring.slots[index];
        OwnPtr<dev::Packet> frame;
        if (!(status & rxstatus::EOP) || ring.discarding) {
            // Part of a frame longer than one buffer: drop every piece up to its end.
            if (!ring.discarding)
                ++rings.stats.rx_length_errors;
            ring.discarding = !(status & rxstatus::EOP);
        } else if (desc.errors & rxerror::FRAME_ERRORS) {
            ++rings.stats.rx_frame_errors;
        } else {
            frame = rx_take_frame(rings, slot, desc.length);
        }
        desc.address = slot.map.bus_address();   // a new buffer, or the old one given back
        desc.length = 0;
        desc.errors = 0;
        desc.status = 0;
        ring.next_to_clean = (index + 1) % ring.count;
        ++done;
        if (frame) {
            ++rings.stats.rx_frames;
            rings.deliver(rings.deliver_ctx, kstd::move(frame));
        }
    }
    if (done) {
        io::dma_wmb();   // the cleared descriptors are in memory before the NIC may reuse them
        rings.regs.write(regs::rdt, (ring.next_to_clean + ring.count - 1) % ring.count);
    }
    return done;
    // END LAB 7
    // STUB LAB 7: return 0;   // lab 7: hand received frames up, refill, move RDT
}

}
