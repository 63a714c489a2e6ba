// e1000 without NAPI (`e1000.napi=off`): the driver as it was written before NAPI, kept so that
// the difference can be measured (lab/07-e1000/README.md, "Receive livelock").
//
// The ring interrupts are never masked. Each interrupt's bottom half (a tasklet, which runs on
// the way out of the interrupt, ahead of every thread) reclaims the TX ring and takes every
// frame the RX ring holds, one pass around the ring at most. When frames arrive apart, that is
// one interrupt per frame; when they arrive faster than the CPU can take them, every interrupt
// brings a ring's worth of work that runs before any thread does, and the threads starve.
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

// The bottom half. Context: tasklet.
void irq_bottom_half(void* ctx)
{
    PciNic& nic = *static_cast<PciNic*>(ctx);
    ++nic.bottom_halves;
    reclaim_tx(nic);
    nic.ring_ops->rx_receive(nic.rings, nic.rings.rx.count);
}

ModeOps const irq_mode_ops {
    .name = "irq",
    .start = irq_start,
    .stop = irq_stop,
    .interrupt = irq_top_half,
};

}
