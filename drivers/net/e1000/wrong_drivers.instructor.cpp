// Purpose-made wrong e1000 drivers, for the grader's self-tests (CONTRACTS.md section 4): each
// has one classic bug of lab 7, and each must fail the test that names that bug. The kernel
// boots one with `selftest.wrong=NAME` (tests/kernel/rubric.toml, INSTRUCTOR block); the host
// tests run them against the e1000 model (tests/unit/models/e1000_wrong_test.instructor.cpp).
// Never in a handout.
//
//   tail_first        tx: moves TDT before it writes the descriptor
//   rx_no_dd          rx: takes a descriptor as done when its length is set, never looks at DD
//                     (and leaves the old length behind when it refills)
//   tx_free_early     tx: unmaps and frees the frame as soon as TDT moved (the NIC still owns it)
//   rx_buffer_reuse   rx: hands the frame up and gives its buffer straight back to the NIC
//   rdh_busy_poll     rx: compares with the RDH register instead of DD, and its poll never rearms
//   icr_not_read      top half: masks and schedules, but never reads ICR (the line stays up)
//   budget_ignored    poll: empties the whole ring whatever the budget
#include "nic.h"
#include <kstd/string.h>

namespace e1000 {

namespace {

u8 status_of(RxDesc const& desc) { return __atomic_load_n(&desc.status, __ATOMIC_RELAXED); }

ErrorOr<void> tail_first_tx(Rings& rings, OwnPtr<dev::Packet> frame)
{
    TxRing& ring = rings.tx;
    u32 index = ring.next_to_use;
    u32 next = (index + 1) % ring.count;
    if (next == ring.next_to_clean)
        return Error::from_errno(EBUSY);
    ring.next_to_use = next;
    rings.regs.write(regs::tdt, next);   // BUG: the NIC may fetch the descriptor right now
    Slot& slot = ring.slots[index];
    slot.map = TRY(io::dma_map(*rings.dma_device, frame->data(), io::Direction::ToDevice));
    TxDesc& desc = ring.desc[index];
    desc.address = slot.map.bus_address();
    desc.length = u16(frame->size());
    desc.status = 0;
    desc.cmd = txcmd::EOP | txcmd::IFCS | txcmd::RS;
    slot.packet = kstd::move(frame);
    return {};
}

ErrorOr<void> free_early_tx(Rings& rings, OwnPtr<dev::Packet> frame)
{
    TxRing& ring = rings.tx;
    u32 index = ring.next_to_use;
    u32 next = (index + 1) % ring.count;
    if (next == ring.next_to_clean)
        return Error::from_errno(EBUSY);
    auto map = TRY(io::dma_map(*rings.dma_device, frame->data(), io::Direction::ToDevice));
    TxDesc& desc = ring.desc[index];
    desc.address = map.bus_address();
    desc.length = u16(frame->size());
    desc.status = 0;
    desc.cmd = txcmd::EOP | txcmd::IFCS | txcmd::RS;
    ring.next_to_use = next;
    io::dma_wmb();
    rings.regs.write(regs::tdt, next);
    (void)map.unmap();   // BUG: "sent" -- but the NIC has not read the buffer yet
    return {};           // and `frame` is freed on return
}

// The frame in a slot, taken out with a fresh buffer behind it (as the driver does).
OwnPtr<dev::Packet> take_and_refill(Rings& rings, Slot& slot, u16 length)
{
    auto packet = dev::Packet::create(RX_BUFFER_SIZE, RX_BUFFER_SIZE);
    if (packet.is_error())
        return nullptr;
    auto map = io::dma_map(*rings.dma_device, packet.value()->storage(), io::Direction::FromDevice);
    if (map.is_error())
        return nullptr;
    (void)slot.map.unmap();
    OwnPtr<dev::Packet> frame = kstd::move(slot.packet);
    slot.packet = packet.release_value();
    slot.map = map.release_value();
    (void)frame->set_size(length);
    return frame;
}

// The RX loop of the wrong drivers: `done(desc, index)` says whether a descriptor is finished;
// `refill` whether the slot gets a fresh buffer (the driver's way) or keeps its old one.
template<typename Done>
u32 wrong_receive(Rings& rings, u32 budget, Done done, bool refill, bool clear_length = true)
{
    RxRing& ring = rings.rx;
    u32 handled = 0;
    while (handled < budget && done(ring.desc[ring.next_to_clean], ring.next_to_clean)) {
        u32 index = ring.next_to_clean;
        RxDesc& desc = ring.desc[index];
        Slot& slot = ring.slots[index];
        OwnPtr<dev::Packet> frame;
        if (refill) {
            frame = take_and_refill(rings, slot, desc.length);
        } else if (slot.packet) {
            // BUG: the frame goes up, and its buffer's address stays in the descriptor: the NIC
            // will write the next frame into memory the stack owns (or has freed).
            (void)slot.map.unmap();
            frame = kstd::move(slot.packet);
            (void)frame->set_size(desc.length);
        }
        desc.address = slot.map.is_mapped() ? slot.map.bus_address() : desc.address;
        if (clear_length)
            desc.length = 0;
        desc.status = 0;
        ring.next_to_clean = (index + 1) % ring.count;
        ++handled;
        if (frame)
            rings.deliver(rings.deliver_ctx, kstd::move(frame));
    }
    if (handled)
        rings.regs.write(regs::rdt, (ring.next_to_clean + ring.count - 1) % ring.count);
    return handled;
}

u32 no_dd_rx(Rings& rings, u32 budget)
{
    // BUG: "a length means a frame"; and the refill below clears the status, not the length,
    // so a descriptor keeps its last frame's length until the NIC uses it again.
    return wrong_receive(rings, budget, [](RxDesc const& desc, u32) { return desc.length != 0; }, true, false);
}

u32 buffer_reuse_rx(Rings& rings, u32 budget)
{
    return wrong_receive(rings, budget, [](RxDesc const& desc, u32) { return (status_of(desc) & rxstatus::DD) != 0; },
                         false);
}

u32 rdh_rx(Rings& rings, u32 budget)
{
    // BUG: asks the NIC's register (an MMIO read per descriptor) where a DD bit would do.
    u32 head = rings.regs.read(regs::rdh);
    wrong_receive(rings, budget, [head](RxDesc const&, u32 index) { return index != head; }, true);
    return budget;   // BUG: "there may be more": the poll never ends, so it never rearms
}

irq::IrqReturn icr_not_read_interrupt(Nic& nic)
{
    if (!has(nic.rings.regs.read(regs::status), Status::LinkUp))
        return irq::IrqReturn::None;   // BUG: STATUS says nothing about interrupt causes
    {
        sched::SpinlockGuard guard(nic.irq_lock);
        nic.rings_polling = true;
        interrupt_mask_locked(nic);
    }
    napi_schedule(nic);
    return irq::IrqReturn::Handled;    // ICR still holds the causes: the line stays asserted
}

u32 budget_ignored_poll(void* ctx, u32 budget)
{
    Nic& nic = *static_cast<Nic*>(ctx);
    reclaim_tx(nic);
    u32 done = nic.ring_ops->rx_receive(nic.rings, nic.rings.rx.count);   // BUG: the whole ring
    return done < budget ? done : budget - 1;   // and it tells NAPI it stayed under budget
}

constexpr RingOps TAIL_FIRST { "tail_first", tail_first_tx, tx_reclaim, rx_receive };
constexpr RingOps RX_NO_DD { "rx_no_dd", tx_frame, tx_reclaim, no_dd_rx };
constexpr RingOps TX_FREE_EARLY { "tx_free_early", free_early_tx, tx_reclaim, rx_receive };
constexpr RingOps RX_BUFFER_REUSE { "rx_buffer_reuse", tx_frame, tx_reclaim, buffer_reuse_rx };
constexpr RingOps RDH_BUSY_POLL { "rdh_busy_poll", tx_frame, tx_reclaim, rdh_rx };
constexpr RingOps const* WRONG_RINGS[] = { &TAIL_FIRST, &RX_NO_DD, &TX_FREE_EARLY, &RX_BUFFER_REUSE,
                                           &RDH_BUSY_POLL };

constexpr NapiOps ICR_NOT_READ { "icr_not_read", icr_not_read_interrupt, napi_poll, napi_rearm };
constexpr NapiOps BUDGET_IGNORED { "budget_ignored", napi_interrupt, budget_ignored_poll, napi_rearm };
constexpr NapiOps const* WRONG_NAPI[] = { &ICR_NOT_READ, &BUDGET_IGNORED };

}

RingOps const* wrong_ring_ops(StringView name)
{
    for (RingOps const* ops : WRONG_RINGS) {
        if (name == StringView(ops->name))
            return ops;
    }
    return nullptr;
}

NapiOps const* wrong_napi_ops(StringView name)
{
    for (NapiOps const* ops : WRONG_NAPI) {
        if (name == StringView(ops->name))
            return ops;
    }
    return nullptr;
}

}
