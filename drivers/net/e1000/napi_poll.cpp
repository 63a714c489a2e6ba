// The e1000's top half and NAPI poll (lab 7, part 4; lab/07-e1000/README.md). The mode's ops
// table and its life cycle are in napi.cpp.
//
// An interrupt per frame costs more than the frame when frames come fast: at some rate the CPU
// does nothing but take interrupts (receive livelock). NAPI switches between two regimes:
//   * interrupt mode while traffic is light: the first frame interrupts, and
//   * polling mode while it is heavy: the top half masks the ring interrupts and schedules a
//     poll; the poll takes at most `budget` frames, refills the ring and reclaims finished
//     transmissions. A poll that had less than its budget to do has emptied the ring, so it
//     unmasks the interrupts (rearm) and the NIC goes back to interrupting. A poll that used
//     the whole budget stays in polling mode, and the next poll runs in the NAPI thread, at an
//     ordinary priority (include/kernel/irq/napi.h), so other threads still get their turn.
// Frames that arrive while the ring is full wait in the NIC (or are dropped there) without
// costing the CPU anything: the overload is shed before any work is spent on it.
//
// Masking is done by one function (interrupt_mask_locked, interrupts.cpp) from one piece of state
// (rings_polling), so the mask is always what the state says.
#include "nic.h"

namespace e1000 {

// The top half. Context: IRQ (interrupts off; must not sleep, allocate or print).
irq::IrqReturn napi_interrupt([[maybe_unused]] Nic& nic)
{
    // BEGIN LAB 7
    Interrupt icr = nic.rings.regs.read(regs::icr);   // reading ICR acknowledges every cause
    if (icr == Interrupt::None) {
        ++nic.irq_stats.not_mine;
        return irq::IrqReturn::None;   // another device on this shared line
    }
    count_causes(nic, icr);
    if (has_any(icr, Interrupt::LinkStatusChange))
        link_change_seen(nic);
    if (has_any(icr, RING_CAUSES)) {
        {
            sched::SpinlockGuard guard(nic.irq_lock);
            nic.rings_polling = true;
            interrupt_mask_locked(nic);
        }
        napi_schedule(nic);
    }
    return irq::IrqReturn::Handled;
    // END LAB 7
    // STUB LAB 7: return irq::IrqReturn::None;   // lab 7: read ICR, mask the ring interrupts, schedule the poll
}

// The poll: reclaim the TX ring, then hand up at most `budget` frames. Returns how many RX
// descriptors it consumed. Context: tasklet or the NAPI thread (must not sleep).
u32 napi_poll([[maybe_unused]] void* ctx, [[maybe_unused]] u32 budget)
{
    // BEGIN LAB 7
    Nic& nic = *static_cast<Nic*>(ctx);
    reclaim_tx(nic);
    return nic.ring_ops->rx_receive(nic.rings, budget);
    // END LAB 7
    // STUB LAB 7: return 0;   // lab 7: reclaim TX, receive at most `budget` frames
}

// The poll finished under budget: back to interrupt mode. Context: as napi_poll.
void napi_rearm([[maybe_unused]] void* ctx)
{
    // BEGIN LAB 7
    Nic& nic = *static_cast<Nic*>(ctx);
    sched::SpinlockGuard guard(nic.irq_lock);
    nic.rings_polling = false;
    interrupt_mask_locked(nic);   // frames that came meanwhile interrupt at once (ICR kept them)
    // END LAB 7
    // STUB LAB 7:
}

NapiOps const driver_napi_ops {
    .name = "driver",
    .interrupt = napi_interrupt,
    .poll = napi_poll,
    .rearm = napi_rearm,
};

}
