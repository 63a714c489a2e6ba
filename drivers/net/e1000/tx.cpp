// The e1000 transmit ring (lab 7, part 2; lab/07-e1000/README.md).
//
// Sending a frame is a hand-over: the driver writes a descriptor (where the bytes are, how many,
// what to do with them) into the ring, and then moves the tail register TDT past it. From that
// moment the descriptor and the buffer belong to the NIC: it reads the descriptor by DMA, reads
// the frame by DMA, puts it on the wire and, because the descriptor asked for it (RS, "report
// status"), writes DD into the descriptor's status. Only then may the driver unmap and free the
// buffer. Reclaiming happens later, in the bottom half, after a TXDW interrupt.
//
// The order inside tx_frame is the whole point: descriptor first, barrier, tail last. A NIC is
// allowed to fetch the descriptor the instant TDT moves (QEMU's does, inside the very MMIO write).
// 8254x SDM 3.3 (transmit descriptors), 3.4 (the ring), 14.5 (transmit initialisation).
#include "rings.h"
#include <kstd/string.h>

namespace e1000 {

namespace {

u8 read_status(u8 const& status) { return __atomic_load_n(&status, __ATOMIC_RELAXED); }

// Gives a slot's frame back: end the DMA mapping, then free the frame.
void release_slot(Slot& slot)
{
    if (slot.map.is_mapped())
        (void)slot.map.unmap();   // fails only for an empty handle, which is_mapped excludes
    slot.packet = nullptr;
}

[[maybe_unused]] bool valid_ring_size(u32 count) { return count >= MIN_RING && count <= MAX_RING && count % 8 == 0; }

}

u32 tx_in_flight(TxRing const& ring)
{
    return (ring.next_to_use + ring.count - ring.next_to_clean) % ring.count;
}

ErrorOr<void> tx_init([[maybe_unused]] Rings& rings, [[maybe_unused]] u32 count)
{
    // BEGIN LAB 7
    if (!valid_ring_size(count))
        return Error::from_errno(EINVAL);
    TxRing& ring = rings.tx;
    ring.desc = TRY(io::dma_alloc_coherent<TxDesc[]>(*rings.dma_device, count));
    TRY(ring.slots.allocate(count));
    ring.count = count;
    ring.next_to_use = 0;
    ring.next_to_clean = 0;
    u64 base = ring.desc.bus_address();
    rings.regs.write(regs::tdbal, u32(base));
    rings.regs.write(regs::tdbah, u32(base >> 32));
    rings.regs.write(regs::tdlen, count * DESCRIPTOR_SIZE);
    rings.regs.write(regs::tdh, 0);
    rings.regs.write(regs::tdt, 0);
    rings.regs.write(regs::tipg, tipg::VALUE);
    rings.regs.write(regs::tctl,
                     Tctl::Enable | Tctl::PadShortPackets
                         | Tctl(tctl::COLLISION_THRESHOLD << tctl::COLLISION_THRESHOLD_SHIFT)
                         | Tctl(tctl::COLLISION_DISTANCE_FULL_DUPLEX << tctl::COLLISION_DISTANCE_SHIFT));
    return {};
    // END LAB 7
    // STUB LAB 7: return Error::from_errno(ENOSYS);   // lab 7: allocate the TX ring, program TDBAL..TCTL
}

void tx_free(Rings& rings)
{
    TxRing& ring = rings.tx;
    if (ring.count == 0)
        return;
    rings.regs.write(regs::tctl, Tctl::None);
    for (u32 i = 0; i < ring.count; ++i)
        release_slot(ring.slots[i]);
    ring.slots.release();
    ring.desc.release();
    ring.count = ring.next_to_use = ring.next_to_clean = 0;
}

ErrorOr<void> tx_frame([[maybe_unused]] Rings& rings, [[maybe_unused]] OwnPtr<dev::Packet> frame)
{
    // BEGIN LAB 7
    TxRing& ring = rings.tx;
    u32 const index = ring.next_to_use;
    u32 const next = (index + 1) % ring.count;
    if (next == ring.next_to_clean) {
        ++rings.stats.tx_ring_full;   // the NIC has count - 1 frames: keep one slot back
        return Error::from_errno(EBUSY);
    }
    auto mapped = io::dma_map(*rings.dma_device, frame->data(), io::Direction::ToDevice);
    if (mapped.is_error()) {
        ++rings.stats.tx_map_errors;
        return Error::from_errno(ENOBUFS);
    }
    Slot& slot = ring.slots[index];
    slot.map = mapped.release_value();
    TxDesc& desc = ring.desc[index];
    desc.address = slot.map.bus_address();
    desc.length = u16(frame->size());
    desc.cso = 0;
    desc.css = 0;
    desc.special = 0;
    desc.status = 0;
    desc.cmd = txcmd::EOP | txcmd::IFCS | txcmd::RS;
    slot.packet = kstd::move(frame);
    ring.next_to_use = next;
    ++rings.stats.tx_queued;
    io::dma_wmb();   // the descriptor is complete in memory before the NIC may see the new tail
    rings.regs.write(regs::tdt, next);
    return {};
    // END LAB 7
    // STUB LAB 7: return Error::from_errno(ENOSYS);   // lab 7: fill a descriptor, then advance TDT
}

u32 tx_reclaim([[maybe_unused]] Rings& rings)
{
    // BEGIN LAB 7
    TxRing& ring = rings.tx;
    u32 reclaimed = 0;
    while (ring.next_to_clean != ring.next_to_use) {
        TxDesc& desc = ring.desc[ring.next_to_clean];
        if (!(read_status(desc.status) & txstatus::DD))
            break;   // the NIC still owns this one, and so every later one
        io::dma_rmb();
        release_slot(ring.slots[ring.next_to_clean]);
        memset(&desc, 0, sizeof(desc));
        ring.next_to_clean = (ring.next_to_clean + 1) % ring.count;
        ++reclaimed;
    }
    rings.stats.tx_reclaimed += reclaimed;
    return reclaimed;
    // END LAB 7
    // STUB LAB 7: return 0;   // lab 7: reclaim descriptors whose DD is set
}

}
