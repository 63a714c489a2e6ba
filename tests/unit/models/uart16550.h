#pragma once
// A register-level model of the National Semiconductor PC16550D UART (host unit tests), the
// chip behind COM1-COM4. Facts from the PC16550D datasheet (June 1995): Table II "Summary of
// Registers", Table IV "Interrupt Control Functions", and the sections on the FIFO Control
// Register, the Line Status Register and "FIFO Interrupt Mode Operation". Where the datasheet
// is silent the model does what QEMU's serial.c does (named in the comment).
//
// What it models:
//   * the eight registers, with DLAB switching offsets 0 and 1 to the divisor latch;
//   * 16-byte receive and transmit FIFOs (FCR bit 0), the receive trigger level (1/4/8/14),
//     FCR's clear bits, and the rule that changing the enable bit clears both FIFOs;
//   * a transmitter that shifts one character out every character time (10 bits at the baud
//     rate the divisor gives: 86.8 us at 115200), or at once (`instant_tx`, as QEMU does);
//   * a receiver fed by the test (`receive`, `receive_paced`): bytes land in the FIFO, an
//     overrun sets LSR.OE and loses the byte, parity/framing errors and breaks set their bits;
//   * the interrupt causes in Table IV's priority order, each with its own clearing action:
//     line status (read LSR), received data (FIFO below the trigger), character timeout (read
//     RBR), THRE (read IIR while it is the source, or write THR; raised again when the FIFO
//     empties or ETBEI goes 0 -> 1 with THR empty), modem status (read MSR);
//   * the interrupt output as a PC wires it: INTR gated by MCR.OUT2 and silent in loopback
//     (the modem outputs are forced inactive then), driving an edge-triggered ISA line whose
//     rising edges the line counts.
//
// What the datasheet forbids, or what loses data, is recorded in `violations` in words a
// student can act on (an RBR read with no byte waiting, a THR write into a full FIFO, an FCR
// write that throws away received bytes). Counters say how often each register was touched.
#include "interrupt_line.h"
#include "port_bus.h"
#include <kstd/types.h>
#include <deque>
#include <string>
#include <vector>

namespace models {

namespace uart_regs {
inline constexpr u8 RBR = 0, THR = 0, IER = 1, IIR = 2, FCR = 2, LCR = 3, MCR = 4, LSR = 5, MSR = 6, SCR = 7;
inline constexpr u8 LSR_DR = 0x01, LSR_OE = 0x02, LSR_PE = 0x04, LSR_FE = 0x08, LSR_BI = 0x10, LSR_THRE = 0x20,
                    LSR_TEMT = 0x40, LSR_FIFO_ERROR = 0x80;
inline constexpr u8 IER_RDA = 0x01, IER_THRE = 0x02, IER_RLS = 0x04, IER_MS = 0x08;
inline constexpr u8 IIR_NONE = 0x01, IIR_MS = 0x00, IIR_THRE = 0x02, IIR_RDA = 0x04, IIR_RLS = 0x06,
                    IIR_TIMEOUT = 0x0C, IIR_FIFO = 0xC0;
inline constexpr u8 MCR_OUT2 = 0x08, MCR_LOOP = 0x10, LCR_DLAB = 0x80;
inline constexpr u8 FCR_ENABLE = 0x01, FCR_CLEAR_RX = 0x02, FCR_CLEAR_TX = 0x04;
}

// A received character and what the line did to it.
struct UartRxByte {
    u8 value { 0 };
    bool parity_error { false };
    bool framing_error { false };
    bool brk { false };
};

class Uart16550 final : public PortDevice {
public:
    static constexpr unsigned FIFO_DEPTH = 16;
    static constexpr u64 CLOCK_HZ = 1'843'200;   // the crystal: divisor 1 = 115200 baud

    Uart16550(u16 base, InterruptLine& irq, std::string name = "uart");
    ~Uart16550() override;
    Uart16550(Uart16550 const&) = delete;
    Uart16550& operator=(Uart16550 const&) = delete;

    // Claims its eight ports on the port bus.
    void attach();

    // --- the line side (what the test does) ----------------------------------------------
    // Bytes arrive now, back to back (each one is a complete character at once).
    void receive(std::vector<u8> const& bytes);
    void receive(UartRxByte byte);
    // Bytes arrive one per character time from now, as a peer sending at full speed.
    void receive_paced(std::vector<u8> const& bytes);
    // What went out on the line (loopback sends nothing there).
    std::vector<u8> const& transmitted() const { return m_line_out; }
    // Puts the chip in the state firmware leaves it in: FIFOs off, IER 0, 115200 8N1.
    void power_on_state();

    // --- what the test inspects ----------------------------------------------------------
    struct Counters {
        u64 reads[8] {};                 // by offset (DLAB accesses not counted here)
        u64 writes[8] {};
        u64 iir_reads_none { 0 };        // IIR reads that said "no interrupt pending"
        u64 thre_interrupts { 0 };       // times THRE became a pending cause
        u64 thre_acknowledged_idle { 0 };// THRE causes acknowledged (IIR read) with nothing sent after
        u64 overruns { 0 };              // bytes lost to a full receiver
        u64 bytes_dropped_by_fcr { 0 };  // received bytes thrown away by an FCR write
        u64 rx_bytes { 0 };              // bytes that reached the receive FIFO
        u64 tx_bytes { 0 };              // bytes written to THR
    } counters;
    std::vector<std::string> violations;

    bool has_violation(std::string const& text) const;
    std::string violations_text() const;
    u8 ier() const { return m_ier; }
    u8 lcr() const { return m_lcr; }
    u8 mcr() const { return m_mcr; }
    u8 fcr() const { return m_fcr; }
    u16 divisor() const { return u16(m_dll | m_dlm << 8); }
    bool fifo_enabled() const { return m_fcr & uart_regs::FCR_ENABLE; }
    unsigned rx_count() const { return unsigned(m_rx.size()); }
    unsigned tx_count() const { return unsigned(m_tx.size()); }
    bool transmitter_idle() const { return m_tx.empty() && !m_shifting; }
    // The cause IIR would report now (without reading it, so nothing is acknowledged).
    u8 pending_cause() const;
    bool interrupt_output() const { return m_output; }
    // Time on the wire for one character (start, 8 data, stop bit) at the current divisor.
    u64 character_ns() const;
    // Transmit without waiting a character time per byte, as QEMU does.
    bool instant_tx { false };
    // The PC's wiring: INTR reaches the ISA line only with MCR.OUT2 set (and not in loopback).
    bool out2_gates_interrupt { true };

    u32 port_read(u16 port, u8 width) override;
    void port_write(u16 port, u8 width, u32 value) override;

private:
    u8 read_register(u8 offset);
    void write_register(u8 offset, u8 value);
    u8 read_rbr();
    u8 read_iir();
    u8 read_lsr();
    void write_thr(u8 value);
    void write_ier(u8 value);
    void write_fcr(u8 value);
    void write_mcr(u8 value);
    void land(UartRxByte byte);          // a complete character reaches the receiver
    void start_shifting();               // move the next byte from the FIFO to the shift register
    void shifted_out();                  // the shift register finished a character
    void restart_timeout();
    void update_interrupt();
    unsigned trigger_level() const;
    unsigned rx_capacity() const { return fifo_enabled() ? FIFO_DEPTH : 1; }
    unsigned tx_capacity() const { return fifo_enabled() ? FIFO_DEPTH : 1; }
    void violation(std::string text);

    u16 m_base;
    InterruptLine& m_irq;
    std::string m_name;
    u8 m_ier { 0 }, m_lcr { 0x03 }, m_mcr { 0 }, m_fcr { 0 }, m_msr { 0 }, m_scr { 0 };
    u8 m_dll { 1 }, m_dlm { 0 };
    u8 m_lsr_errors { 0 };        // OE, PE, FE, BI: set by the receiver, cleared by reading LSR
    std::deque<UartRxByte> m_rx;
    std::deque<u8> m_tx;
    bool m_shifting { false };
    u8 m_shift_register { 0 };
    bool m_thr_pending { false };  // THRE as an interrupt cause (Table IV)
    bool m_timeout_pending { false };
    bool m_output { false };
    u64 m_rx_activity_ns { 0 };    // last character received or read: the timeout counts from here
    u64 m_timeout_event { 0 };
    u64 m_shift_event { 0 };
    bool m_attached { false };
    std::vector<u8> m_line_out;
};

}
