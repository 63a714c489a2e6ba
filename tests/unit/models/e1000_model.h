#pragma once
// A register-level model of the Intel 82540EM (e1000) for the host unit tests: the interrupt
// registers (ICR read-to-clear, ICS, IMS/IMC and a level-triggered PCI line that follows
// ICR & IMS), the transmit and receive rings with their head and tail registers, legacy
// descriptors written back with DD, and DMA through the models' physical memory. Facts from the
// 8254x Software Developer's Manual: 3.2 (receive descriptors and ring), 3.3 and 3.4 (transmit
// descriptors and ring), 13.4 (registers).
//
// Time matters, as on real hardware (models::clock()): the NIC fetches the descriptors between
// TDH and TDT when the tail moves, and reads the buffers and sends the frames `tx_delay_ns`
// later. Frames from the wire (receive()) land at the head of the RX ring at once.
//
// What the datasheet (and the DMA API) forbid is recorded in `violations`, in words a student
// can act on: a descriptor that changed after the tail was moved past it (the tail advanced
// before the descriptor was written), a buffer the NIC must read or write that is not mapped
// for it (freed, or handed up and reused, while the NIC owned it), a buffer that changed while
// the NIC owned it, a tail outside the ring. Tests of correct drivers require it to stay
// empty; tests of the purpose-made wrong drivers require the violation that names their bug.
#include "interrupt_line.h"
#include "mmio_bus.h"
#include <kstd/types.h>
#include <string>
#include <vector>

namespace models {

class E1000Model final : public MmioDevice {
public:
    static constexpr u64 BAR = 0xFEBC0000;
    static constexpr u64 LENGTH = 0x20000;

    E1000Model();
    ~E1000Model() override;
    // Claims the BAR on the MMIO bus.
    void attach();

    InterruptLine line { "e1000 INTA", Trigger::Level };
    u64 tx_delay_ns { 2'000 };     // tail moved -> the frames are on the wire and DD is written

    // The wire, outgoing: every frame the NIC sent, in order.
    std::vector<std::vector<u8>> sent;
    // The wire, incoming: a frame arrives now. False when the NIC dropped it: receiver off, or
    // no free descriptor (RXO, counted in RNBC and MPC).
    bool receive(std::vector<u8> const& frame);
    // The PHY: link down or up, with a link status change interrupt.
    void set_link(bool up);

    std::vector<std::string> violations;
    u64 icr_reads { 0 };
    u64 register_reads { 0 };
    u64 rdh_reads { 0 };           // reads of RDH/TDH: a driver should look at DD instead
    u64 rx_overruns { 0 };         // frames dropped for want of a descriptor
    u32 reg(u32 offset) const { return m_regs[offset / 4]; }   // without side effects

    u64 mmio_read(u64 offset, u8 width) override;
    void mmio_write(u64 offset, u8 width, u64 value) override;

private:
    struct Fetched {                // a TX descriptor as the NIC fetched it when the tail moved
        u32 index;
        u8 bytes[16];
        std::vector<u8> data;
    };

    void reset();
    void raise(u32 causes);
    void update_line();
    void tail_moved_tx(u32 old_tail);
    void process_tx();
    void tail_moved_rx(u32 old_tail, u32 new_tail);
    u64 ring_base(u32 low, u32 high) const;
    u32 ring_size(u32 length_reg) const;
    void violation(std::string text);

    u32 m_regs[LENGTH / 4] {};
    u32 m_tx_fetch { 0 };           // the next TX descriptor to fetch
    std::vector<Fetched> m_fetched;
    u64 m_tx_event { 0 };
    bool m_link_up { true };
    std::vector<u8> m_pending_frame;   // a frame that spans TX descriptors, so far
};

}
