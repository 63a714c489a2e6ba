#pragma once
// The e1000 driver's kernel side, shared by its files (the network class, netdev.h, is its
// public face; nothing outside this folder includes this header):
//   e1000.cpp     the PCI driver (ID table, probe/remove), the netdev ops both modes share
//   probe.cpp     lab 7 part 1: map the register BAR, let the NIC master the bus
//   hw.cpp        reset, the EEPROM and the MAC address, link state, ITR
//   napi.cpp      `e1000.napi=on`: the NAPI mode's ops table (its top half and poll are
//                 napi_poll.cpp, lab 7 part 4)
//   irq.cpp       `e1000.napi=off`: one frame per interrupt, the interrupt never masked (the
//                 pre-NAPI driver, kept to measure the difference)
//   monitor.cpp   the `e1000` monitor command
// The register-level part (rings, interrupt mask, top half, poll) is nic.h's, which the host
// unit tests compile too.
#include "nic.h"
#include <kernel/bus/pci.h>
#include <kernel/dev/netdev.h>
#include <kernel/irq/napi.h>
#include <kernel/irq/tasklet.h>
#include <kernel/irq/workqueue.h>

namespace e1000 {

class PciNic;

// One chip of the family, from the PCI ID table's driver_data.
struct Variant {
    char const* name;          // "82540EM"
    bool has_eerd;             // EEPROM through EERD (82540 and later); else bit-banged EECD
};

// A driver mode (CONTRACTS.md section 4): chosen once at probe from `e1000.napi=on|off`.
struct ModeOps {
    char const* name;                          // "napi" or "irq"
    // After the rings are up and before interrupts are enabled: set up the bottom half.
    ErrorOr<void> (*start)(PciNic& nic);
    // After interrupts are masked: stop the bottom half and wait for it.
    void (*stop)(PciNic& nic);
    // The top half: read ICR (which acknowledges every cause), say None when nothing was
    // pending (the line is shared), else hand the work to the bottom half.
    irq::IrqReturn (*interrupt)(PciNic& nic);
};
extern ModeOps const napi_mode_ops;   // napi.cpp
extern ModeOps const irq_mode_ops;    // irq.cpp

inline constexpr u32 DEFAULT_RX_RING = 256;
inline constexpr u32 DEFAULT_TX_RING = 256;
inline constexpr u32 DEFAULT_ITR_RATE = 20000;   // interrupts/s at most (Linux's starting rate)
inline constexpr unsigned MAX_NICS = 4;

class PciNic final : public bus::DriverState, public Nic {
public:
    PciNic(pci::PciDevice& pci, Variant const& variant, unsigned index);
    ~PciNic() override;
    static PciNic& of(Nic& nic) { return static_cast<PciNic&>(nic); }

    pci::PciDevice& pci;
    Variant const& variant;
    unsigned index;                 // eth<index>
    io::MmioRegion mmio;
    dev::MacAddress mac {};
    ModeOps const* mode { nullptr };
    u32 rx_ring_size { DEFAULT_RX_RING };
    u32 tx_ring_size { DEFAULT_TX_RING };
    u32 itr_rate { DEFAULT_ITR_RATE };

    irq::IrqHandle irq;
    OwnPtr<irq::NapiPoll> napi;     // napi mode, while open
    irq::Tasklet rx_tasklet;        // irq mode's bottom half
    irq::WorkItem link_work;        // LSC: read STATUS and report, in process context
    bool link_up { false };
    bool open { false };
    u64 missed_packets { 0 };       // the MPC and RNBC statistics registers, accumulated
    u64 no_buffer_packets { 0 };
    u64 bottom_halves { 0 };        // irq mode: tasklet runs

    dev::NetDevHandle netdev;
    dev::NetDevice* device() const { return netdev.device(); }
};

// --- probe.cpp (lab 7 part 1) -------------------------------------------------------------------
[[nodiscard]] ErrorOr<void> map_registers(PciNic& nic);

// --- hw.cpp -------------------------------------------------------------------------------------
// Global reset with every interrupt masked and the receiver and transmitter off. Context: thread.
[[nodiscard]] ErrorOr<void> hw_reset(PciNic& nic);
// Reads the MAC address from the EEPROM (checking its checksum) and programs RAL0/RAH0; clears
// the multicast table. Errors: EIO (checksum wrong, or the EEPROM does not answer).
[[nodiscard]] ErrorOr<void> hw_load_mac(PciNic& nic);
// One EEPROM word, by EERD or by bit-banging EECD (Variant::has_eerd). Errors: EIO, ETIMEDOUT.
[[nodiscard]] ErrorOr<u16> eeprom_read(PciNic& nic, u8 word);
// CTRL: copper link that follows the PHY (SLU, ASDE); reads STATUS into nic.link_up.
void hw_setup_link(PciNic& nic);
// Reports STATUS.LU to the network class (carrier) and the log if it changed. Context: thread.
void hw_update_link(PciNic& nic);
// ITR from a rate in interrupts/s (0: no throttling). Context: any.
void hw_set_itr(PciNic& nic, u32 rate);
// Accumulates the clear-on-read MPC/RNBC registers. Context: any.
void hw_read_drop_counters(PciNic& nic);

// The NIC that is eth<index>, or nullptr. Context: thread.
PciNic* nic_by_index(unsigned index);
// Hands one received frame to the network class (Rings::deliver). Context: bottom half.
void deliver_frame(void* nic, OwnPtr<dev::Packet> frame);

// --- irq.cpp --------------------------------------------------------------------------------------
// irq mode's bottom half (PciNic::rx_tasklet). Context: tasklet.
void irq_bottom_half(void* nic);

}
