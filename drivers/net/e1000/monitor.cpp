// The `e1000` monitor command: each NIC's mode, rings, interrupt causes and drop counters, and
// `e1000 itr RATE` to change interrupt throttling at run time.
#include "e1000.h"
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/string.h>

namespace e1000 {

namespace {

void show_rings(PciNic& nic)
{
    RingStats const& s = nic.rings.stats;
    TxRing const& tx = nic.rings.tx;
    RxRing const& rx = nic.rings.rx;
    if (tx.count == 0) {
        kprint("  rings: not allocated (interface down)\n");
        return;
    }
    io::MmioWindow regs = nic.rings.regs;
    kprint("  tx ring %u: next_to_use %u next_to_clean %u (TDH %u TDT %u), in flight %u; queued %lu, "
           "reclaimed %lu, ring full %lu, map errors %lu\n",
           tx.count, tx.next_to_use, tx.next_to_clean, regs.read(regs::tdh), regs.read(regs::tdt),
           tx_in_flight(tx), s.tx_queued, s.tx_reclaimed, s.tx_ring_full, s.tx_map_errors);
    kprint("  rx ring %u: next_to_clean %u (RDH %u RDT %u); frames %lu, frame errors %lu, too long %lu, "
           "no buffer %lu, ring exhausted %lu\n",
           rx.count, rx.next_to_clean, regs.read(regs::rdh), regs.read(regs::rdt), s.rx_frames,
           s.rx_frame_errors, s.rx_length_errors, s.rx_no_buffer, s.rx_ring_exhausted);
}

void show(PciNic& nic)
{
    kprint("%s: %s, %s mode, link %s, ITR %u interrupts/s%s, IMS %#x\n", nic.name, nic.variant.name,
           nic.mode->name, nic.link_up ? "up" : "down", nic.itr_rate, nic.itr_rate ? "" : " (off)",
           unsigned(nic.ims));
    show_rings(nic);
    InterruptStats const& i = nic.irq_stats;
    kprint("  interrupts %lu (not mine %lu): TXDW %lu RXT0 %lu RXDMT0 %lu RXO %lu LSC %lu; mask writes %lu\n",
           i.interrupts, i.not_mine, i.tx_written, i.rx_timer, i.rx_min_threshold, i.rx_overrun,
           i.link_changes, i.mask_writes);
    if (nic.napi)
        kprint("  napi: budget %u, polls %lu, budget used up %lu, rearms %lu, thread polls %lu, most in one "
               "poll %u\n",
               nic.napi->budget(), nic.napi->polls(), nic.napi->budget_exhausted(), nic.napi->rearms(),
               nic.napi->thread_polls(), nic.napi->max_items());
    else
        kprint("  bottom halves %lu\n", nic.bottom_halves);
    hw_read_drop_counters(nic);
    kprint("  dropped by the NIC: missed %lu, no buffer %lu\n", nic.missed_packets, nic.no_buffer_packets);
}

}

}

MONITOR_COMMAND(e1000, "e1000", "e1000 NICs: rings, interrupts, drops; 'e1000 itr RATE' sets throttling")
{
    using namespace e1000;
    auto words = args;
    auto first = words.next_word();
    if (first.has_value() && *first == kstd::StringView("itr")) {
        auto rate_word = words.next_word();
        auto rate = rate_word.has_value() ? kstd::parse_u64(*rate_word) : ErrorOr<u64>(Error::from_errno(EINVAL));
        if (rate.is_error() || rate.value() > 1'000'000) {
            kprint("usage: e1000 itr RATE   (interrupts per second, 0 = no throttling)\n");
            return;
        }
        for (unsigned i = 0; i < MAX_NICS; ++i) {
            if (PciNic* nic = nic_by_index(i)) {
                hw_set_itr(*nic, u32(rate.value()));
                kprint("%s: ITR %u interrupts/s\n", nic->name, nic->itr_rate);
            }
        }
        return;
    }
    bool any = false;
    for (unsigned i = 0; i < MAX_NICS; ++i) {
        if (PciNic* nic = nic_by_index(i)) {
            show(*nic);
            any = true;
        }
    }
    if (!any)
        kprint("no e1000 NIC\n");
}
