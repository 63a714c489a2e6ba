// The e1000's interrupt mask, derived from the driver's state in one place, and the cause
// counters (8254x SDM 13.4.17-13.4.21: ICR, ICS, IMS, IMC).
//
// IMS is never written from anywhere else: the top half, the poll's rearm, open and stop change
// the state (interrupts_on, rings_polling) and call interrupt_mask_locked(), which writes only
// the difference: IMC for the causes to switch off, IMS for those to switch on.
#include "nic.h"

namespace e1000 {

Interrupt wanted_interrupts(Nic const& nic)
{
    if (!nic.interrupts_on)
        return Interrupt::None;
    Interrupt wanted = Interrupt::LinkStatusChange;
    if (!nic.rings_polling)
        wanted |= RING_CAUSES;
    return wanted;
}

void interrupt_mask_locked(Nic& nic)
{
    Interrupt wanted = wanted_interrupts(nic);
    Interrupt off = nic.ims & ~wanted;
    Interrupt on = wanted & ~nic.ims;
    if (off != Interrupt::None) {
        nic.rings.regs.write(regs::imc, off);
        ++nic.irq_stats.mask_writes;
    }
    if (on != Interrupt::None) {
        nic.rings.regs.write(regs::ims, on);
        ++nic.irq_stats.mask_writes;
    }
    nic.ims = wanted;
}

void count_causes(Nic& nic, Interrupt icr)
{
    InterruptStats& s = nic.irq_stats;
    ++s.interrupts;
    s.tx_written += has(icr, Interrupt::TxDescWritten);
    s.rx_timer += has(icr, Interrupt::RxTimer);
    s.rx_min_threshold += has(icr, Interrupt::RxDescMinThreshold);
    s.rx_overrun += has(icr, Interrupt::RxOverrun);
    s.link_changes += has(icr, Interrupt::LinkStatusChange);
}

u32 reclaim_tx(Nic& nic)
{
    sched::SpinlockGuard guard(nic.tx_lock);
    return nic.ring_ops->tx_reclaim(nic.rings);
}

}
