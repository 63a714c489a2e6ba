// e1000 without NAPI (`e1000.napi=off`): the driver as it was written before NAPI, kept so that
// the difference can be measured (lab/07-e1000/README.md, "Receive livelock").
//
// One frame per interrupt. The ring interrupts are never masked; each interrupt's bottom half (a
// tasklet, which runs on the way out of the interrupt, ahead of every thread) reclaims the TX
// ring and takes one received frame. When more are waiting, it raises the receive interrupt
// again itself (ICS, Interrupt Cause Set), so that every frame costs a whole interrupt, as with
// the interrupt-per-packet drivers of the 1990s. When frames arrive faster than the CPU can take
// interrupts for them, it takes nothing but interrupts: the threads starve (receive livelock).
#include "e1000.h"
#include <kstd/enforce.h>

namespace e1000 {

namespace {

irq::IrqReturn irq_top_half(PciNic& nic)
{
    Interrupt icr = nic.rings.regs.read(regs::icr);   // reading ICR acknowledges every cause
    if (icr == Interrupt::None) {
        ++nic.irq_stats.not_mine;
        return irq::IrqReturn::None;
    }
    count_causes(nic, icr);
    if (has_any(icr, Interrupt::LinkStatusChange))
        link_change_seen(nic);
    if (has_any(icr, RING_CAUSES))
        nic.rx_tasklet.schedule();
    return irq::IrqReturn::Handled;
}

ErrorOr<void> irq_start(PciNic&) { return {}; }

void irq_stop(PciNic& nic) { nic.rx_tasklet.kill(); }

}

// The bottom half: one frame, and another interrupt when more wait. Context: tasklet.
void irq_bottom_half(void* ctx)
{
    PciNic& nic = *static_cast<PciNic*>(ctx);
    ++nic.bottom_halves;
    reclaim_tx(nic);
    nic.ring_ops->rx_receive(nic.rings, 1);
    RxRing const& ring = nic.rings.rx;
    if (ring.count && (__atomic_load_n(&ring.desc[ring.next_to_clean].status, __ATOMIC_RELAXED) & rxstatus::DD))
        nic.rings.regs.write(regs::ics, Interrupt::RxTimer);   // the next frame: the next interrupt
}

ModeOps const irq_mode_ops {
    .name = "irq",
    .start = irq_start,
    .stop = irq_stop,
    .interrupt = irq_top_half,
};

}
