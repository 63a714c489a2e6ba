#pragma once
// The part of an e1000 that the register-level code needs (nic.h: rings, interrupt mask, top
// half and poll), free of PCI, IRQ registration and threads so that the host unit tests can
// run it against the e1000 model (tests/unit/models/e1000_model.h). The kernel's NIC, PciNic
// (e1000.h), derives from it and adds the rest.
//
//   rings.h, tx.cpp, rx.cpp, ring_ops.cpp   the descriptor rings (lab 7 parts 2 and 3)
//   interrupts.cpp                          the interrupt mask and the cause counters
//   napi_poll.cpp                           the top half and the poll (lab 7 part 4)
#include "rings.h"
#include <kernel/irq/irq.h>
#include <kernel/sched/sync.h>
#include <kstd/string.h>

namespace e1000 {

// Interrupt causes seen by the top half, for `e1000` and the tests.
struct InterruptStats {
    u64 interrupts;            // top halves that found a cause (shared-line calls not counted)
    u64 not_mine;              // top halves that found ICR empty
    u64 tx_written, rx_timer, rx_min_threshold, rx_overrun, link_changes;
    u64 mask_writes;           // IMS/IMC writes by interrupt_mask_locked()
};

// The causes that mean "the rings have work": NAPI masks these while it polls.
inline constexpr Interrupt RING_CAUSES = Interrupt::TxDescWritten | Interrupt::RxTimer
    | Interrupt::RxDescMinThreshold | Interrupt::RxOverrun;
inline constexpr u32 DEFAULT_NAPI_BUDGET = 64;

struct Nic;

// The NAPI half of the driver as a table (napi_poll.cpp), so that the grader's purpose-made
// wrong drivers (wrong_drivers.instructor.cpp) can replace it, as RingOps for the rings.
struct NapiOps {
    char const* name;
    irq::IrqReturn (*interrupt)(Nic& nic);   // the top half
    u32 (*poll)(void* nic, u32 budget);      // irq::NapiPoll's poll function
    void (*rearm)(void* nic);                // and its rearm function
};
extern NapiOps const driver_napi_ops;

struct Nic {
    char name[16] {};               // "eth0"
    Rings rings;                    // registers, DMA device, both rings (rings.h)
    RingOps const* ring_ops { &driver_ring_ops };
    NapiOps const* napi_ops { &driver_napi_ops };
    u32 napi_budget { DEFAULT_NAPI_BUDGET };

    sched::Spinlock tx_lock { "e1000-tx" };     // tx_frame and tx_reclaim

    // What the interrupt mask is derived from (interrupt_mask_locked), and the mask itself.
    sched::Spinlock irq_lock { "e1000-irq" };
    bool interrupts_on { false };   // Guarded by irq_lock: open, and not stopping
    bool rings_polling { false };   // Guarded by irq_lock: NAPI polls, the ring causes stay masked
    Interrupt ims { Interrupt::None };   // Guarded by irq_lock: what IMS holds
    InterruptStats irq_stats {};
};

// --- interrupts.cpp -------------------------------------------------------------------------------
// The interrupt causes the driver wants now, derived from interrupts_on and rings_polling.
Interrupt wanted_interrupts(Nic const& nic);
// Writes IMC/IMS so that IMS == wanted_interrupts(nic): the only place that writes either.
// Context: any. Locking: irq_lock held.
void interrupt_mask_locked(Nic& nic);
// Counts the causes of one ICR value into nic.irq_stats. Context: top half.
void count_causes(Nic& nic, Interrupt icr);
// TX reclaim under tx_lock. Context: bottom half.
u32 reclaim_tx(Nic& nic);

// --- lab 7 part 4 (napi_poll.cpp) ---------------------------------------------------------------
irq::IrqReturn napi_interrupt(Nic& nic);
u32 napi_poll(void* nic, u32 budget);
void napi_rearm(void* nic);

// The grader's wrong drivers by name (`selftest.wrong=NAME`; wrong_drivers.instructor.cpp, which
// handouts leave out: there they find nothing). Context: any.
RingOps const* wrong_ring_ops(StringView name);
NapiOps const* wrong_napi_ops(StringView name);

// Given to the top half (e1000.cpp in the kernel; the host tests provide their own):
// start the budgeted poll (irq::NapiPoll::schedule) and look at the link (a work item that reads
// STATUS). Context: top half.
void napi_schedule(Nic& nic);
void link_change_seen(Nic& nic);

}
