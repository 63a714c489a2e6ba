#pragma once
// The e1000 driver's internals, shared by its files (the network class, netdev.h, is its public
// face; nothing outside this folder includes this header):
//   e1000.cpp     the PCI driver (ID table, probe/remove), the netdev ops both modes share
//   hw.cpp        reset, the EEPROM and the MAC address, link state, ITR, and interrupt_mask()
//   tx.cpp rx.cpp the descriptor rings (rings.h; lab 7 parts 2 and 3)
//   napi.cpp      `e1000.napi=on`: the top half masks the rings' interrupts and schedules the
//                 budgeted poll (lab 7 part 4)
//   irq.cpp       `e1000.napi=off`: every interrupt's bottom half empties the rings, the
//                 interrupt never masked (the pre-NAPI driver, kept to measure the difference)
//   monitor.cpp   the `e1000` monitor command
#include "rings.h"
#include <kernel/bus/pci.h>
#include <kernel/dev/netdev.h>
#include <kernel/irq/irq.h>
#include <kernel/irq/napi.h>
#include <kernel/irq/tasklet.h>
#include <kernel/irq/workqueue.h>
#include <kernel/sched/sync.h>

namespace e1000 {

class Nic;

// One chip of the family, from the PCI ID table's driver_data.
struct Variant {
    char const* name;          // "82540EM"
    bool has_eerd;             // EEPROM through EERD (82540 and later); else bit-banged EECD
};

// A driver mode (CONTRACTS.md section 4): chosen once at probe from `e1000.napi=on|off`.
struct ModeOps {
    char const* name;                          // "napi" or "irq"
    // After the rings are up and before interrupts are enabled: set up the bottom half.
    ErrorOr<void> (*start)(Nic& nic);
    // After interrupts are masked: stop the bottom half and wait for it.
    void (*stop)(Nic& nic);
    // The top half: read ICR (which acknowledges every cause), say None when nothing was
    // pending (the line is shared), else hand the work to the bottom half.
    irq::IrqReturn (*interrupt)(Nic& nic);
};
extern ModeOps const napi_mode_ops;   // napi.cpp
extern ModeOps const irq_mode_ops;    // irq.cpp

// Interrupt causes seen by the top half, for `e1000` and the tests.
struct InterruptStats {
    u64 interrupts;            // top halves that found a cause (shared-line calls not counted)
    u64 not_mine;              // top halves that found ICR empty
    u64 tx_written, rx_timer, rx_min_threshold, rx_overrun, link_changes;
    u64 mask_writes;           // IMS/IMC writes by interrupt_mask()
};

inline constexpr u32 DEFAULT_RX_RING = 256;
inline constexpr u32 DEFAULT_TX_RING = 256;
inline constexpr u32 DEFAULT_NAPI_BUDGET = 64;
inline constexpr u32 DEFAULT_ITR_RATE = 20000;   // interrupts/s at most (Linux's starting rate)
inline constexpr unsigned MAX_NICS = 4;

class Nic final : public bus::DriverState {
public:
    Nic(pci::PciDevice& pci, Variant const& variant, unsigned index);
    ~Nic() override;

    pci::PciDevice& pci;
    Variant const& variant;
    unsigned index;                 // eth<index>
    char name[16] {};
    io::MmioRegion mmio;
    Rings rings;                    // registers, DMA device, both rings (rings.h)
    dev::MacAddress mac {};
    ModeOps const* mode { nullptr };
    RingOps const* ring_ops { &driver_ring_ops };
    u32 rx_ring_size { DEFAULT_RX_RING };
    u32 tx_ring_size { DEFAULT_TX_RING };
    u32 napi_budget { DEFAULT_NAPI_BUDGET };
    u32 itr_rate { DEFAULT_ITR_RATE };

    sched::Spinlock tx_lock { "e1000-tx" };     // tx_frame and tx_reclaim

    // What the interrupt mask is derived from (interrupt_mask(), hw.cpp), and the mask itself.
    sched::Spinlock irq_lock { "e1000-irq" };
    bool interrupts_on { false };   // Guarded by irq_lock: open, and not stopping
    bool rings_polling { false };   // Guarded by irq_lock: NAPI polls: the ring causes stay masked
    Interrupt ims { Interrupt::None };   // Guarded by irq_lock: what IMS holds

    irq::IrqHandle irq;
    OwnPtr<irq::NapiPoll> napi;     // napi mode, while open
    irq::Tasklet rx_tasklet;        // irq mode's bottom half
    irq::WorkItem link_work;        // LSC: read STATUS and report, in process context
    bool link_up { false };
    bool open { false };

    InterruptStats irq_stats {};
    u64 missed_packets { 0 };       // the MPC and RNBC statistics registers, accumulated
    u64 no_buffer_packets { 0 };
    u64 bottom_halves { 0 };        // irq mode: tasklet runs

    dev::NetDevHandle netdev;
    dev::NetDevice* device() const { return netdev.device(); }
};

// --- hw.cpp -------------------------------------------------------------------------------------
// Global reset with every interrupt masked and the receiver and transmitter off. Context: thread.
[[nodiscard]] ErrorOr<void> hw_reset(Nic& nic);
// Reads the MAC address from the EEPROM (checking its checksum) and programs RAL0/RAH0; clears
// the multicast table. Errors: EIO (checksum wrong, or the EEPROM does not answer).
[[nodiscard]] ErrorOr<void> hw_load_mac(Nic& nic);
// One EEPROM word, by EERD or by bit-banging EECD (Variant::has_eerd). Errors: EIO, ETIMEDOUT.
[[nodiscard]] ErrorOr<u16> eeprom_read(Nic& nic, u8 word);
// CTRL: copper link that follows the PHY (SLU, ASDE); reads STATUS into nic.link_up.
void hw_setup_link(Nic& nic);
// Reports STATUS.LU to the network class (carrier) and the log if it changed. Context: thread.
void hw_update_link(Nic& nic);
// ITR from a rate in interrupts/s (0: no throttling). Context: any.
void hw_set_itr(Nic& nic, u32 rate);
// The interrupt causes the driver wants now, derived from interrupts_on and rings_polling.
Interrupt wanted_interrupts(Nic const& nic);
// Writes IMC/IMS so that IMS == wanted_interrupts(nic): the only place that writes either.
// Context: any. Locking: irq_lock held.
void interrupt_mask_locked(Nic& nic);
// Counts the causes of one ICR value into nic.irq_stats. Context: top half.
void count_causes(Nic& nic, Interrupt icr);
// Accumulates the clear-on-read MPC/RNBC registers. Context: any.
void hw_read_drop_counters(Nic& nic);

// --- shared by the modes (e1000.cpp) ------------------------------------------------------------
// The cause groups the modes react to.
inline constexpr Interrupt RING_CAUSES = Interrupt::TxDescWritten | Interrupt::RxTimer
    | Interrupt::RxDescMinThreshold | Interrupt::RxOverrun;
// Hands one received frame to the network class (Rings::deliver). Context: bottom half.
void deliver_frame(void* nic, OwnPtr<dev::Packet> frame);
// TX reclaim under tx_lock; wakes nothing (the stack drops on a full ring). Context: bottom half.
u32 reclaim_tx(Nic& nic);

// The NIC that is eth<index>, or nullptr. Context: thread.
Nic* nic_by_index(unsigned index);

// --- irq.cpp --------------------------------------------------------------------------------------
// irq mode's bottom half (Nic::rx_tasklet). Context: tasklet.
void irq_bottom_half(void* nic);

// --- lab 7 part 4 (napi.cpp) -------------------------------------------------------------------
irq::IrqReturn napi_interrupt(Nic& nic);
u32 napi_poll(void* nic, u32 budget);
void napi_rearm(void* nic);

// The wrong drivers the grader's self-tests boot with `selftest.wrong=NAME`
// (e1000_wrong.instructor.cpp; absent from handouts, where these find nothing).
RingOps const* wrong_ring_ops(StringView name);
ModeOps const* wrong_mode_ops(StringView name);

}
