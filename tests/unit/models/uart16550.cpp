// The 16550 model (uart16550.h): registers, FIFOs, the transmitter and receiver in simulated
// time, and the interrupt causes of the PC16550D's Table IV.
#include <kstd/error.h>
#include "uart16550.h"
#include "clock.h"
#include <cstdio>

namespace models {

using namespace uart_regs;

namespace {

std::string hex(u8 value)
{
    char text[8];
    std::snprintf(text, sizeof(text), "0x%02x", value);
    return text;
}

}

Uart16550::Uart16550(u16 base, InterruptLine& irq, std::string name) : m_base(base), m_irq(irq), m_name(std::move(name))
{
}

Uart16550::~Uart16550()
{
    clock().cancel(m_timeout_event);
    clock().cancel(m_shift_event);
    if (m_attached)
        port_bus().detach(*this);
}

void Uart16550::attach()
{
    port_bus().attach(m_base, 8, *this, m_name.c_str());
    m_attached = true;
}

void Uart16550::power_on_state()
{
    m_ier = 0;
    m_lcr = 0x03;
    m_mcr = 0x03;
    m_fcr = 0;
    m_dll = 1;
    m_dlm = 0;
    m_rx.clear();
    m_tx.clear();
    m_lsr_errors = 0;
    m_thr_pending = m_timeout_pending = false;
    update_interrupt();
}

bool Uart16550::has_violation(std::string const& text) const
{
    for (auto const& v : violations) {
        if (v.find(text) != std::string::npos)
            return true;
    }
    return false;
}

std::string Uart16550::violations_text() const
{
    std::string out;
    for (auto const& v : violations)
        out += "  " + v + "\n";
    return out.empty() ? "  (none)\n" : out;
}

void Uart16550::violation(std::string text)
{
    if (violations.size() < 32)
        violations.push_back(m_name + ": " + std::move(text));
}

u64 Uart16550::character_ns() const
{
    u64 const divisor = this->divisor() ? this->divisor() : 65536;
    return 10ull * 16 * divisor * 1'000'000'000ull / CLOCK_HZ;
}

unsigned Uart16550::trigger_level() const
{
    static constexpr unsigned levels[4] = { 1, 4, 8, 14 };
    return levels[m_fcr >> 6];
}

// --- the bus ---------------------------------------------------------------------------------

u32 Uart16550::port_read(u16 port, u8 width)
{
    VERIFY(width == 1);   // byte registers: a wider access is a driver bug the test should see
    return read_register(u8(port - m_base));
}

void Uart16550::port_write(u16 port, u8 width, u32 value)
{
    VERIFY(width == 1);
    write_register(u8(port - m_base), u8(value));
}

u8 Uart16550::read_register(u8 offset)
{
    bool const dlab = m_lcr & LCR_DLAB;
    if (dlab && offset <= 1)
        return offset == 0 ? m_dll : m_dlm;
    ++counters.reads[offset];
    u8 value = 0;
    switch (offset) {
    case RBR: value = read_rbr(); break;
    case IER: value = m_ier; break;
    case IIR: value = read_iir(); break;
    case LCR: value = m_lcr; break;
    case MCR: value = m_mcr; break;
    case LSR: value = read_lsr(); break;
    case MSR:
        value = m_msr;
        m_msr &= 0xF0;   // reading MSR clears the delta bits (and a modem-status interrupt)
        break;
    default: value = m_scr; break;
    }
    update_interrupt();
    return value;
}

void Uart16550::write_register(u8 offset, u8 value)
{
    bool const dlab = m_lcr & LCR_DLAB;
    if (dlab && offset <= 1) {
        (offset == 0 ? m_dll : m_dlm) = value;
        return;
    }
    ++counters.writes[offset];
    switch (offset) {
    case THR: write_thr(value); break;
    case IER: write_ier(value); break;
    case FCR: write_fcr(value); break;
    case LCR: m_lcr = value; break;
    case MCR: write_mcr(value); break;
    case SCR: m_scr = value; break;
    default: break;   // LSR and MSR writes: factory test, not for drivers
    }
    update_interrupt();
}

// --- receiving -------------------------------------------------------------------------------

u8 Uart16550::read_rbr()
{
    if (m_rx.empty()) {
        violation("RBR read while LSR.DR was clear (no byte waiting): the value read is not a received "
                  "byte; read RBR only after LSR says DR");
        return 0;
    }
    u8 const value = m_rx.front().value;
    m_rx.pop_front();
    m_timeout_pending = false;   // reading a character resets the timeout ("FIFO Interrupt Mode Operation")
    m_rx_activity_ns = clock().now();
    restart_timeout();
    return value;
}

void Uart16550::receive(std::vector<u8> const& bytes)
{
    for (u8 b : bytes)
        receive(UartRxByte { b });
}

void Uart16550::receive(UartRxByte byte)
{
    if (m_mcr & MCR_LOOP)
        return;   // in loopback the receiver hears only the transmitter
    land(byte);
}

void Uart16550::receive_paced(std::vector<u8> const& bytes)
{
    u64 const step = character_ns();
    for (usize i = 0; i < bytes.size(); ++i) {
        u8 const b = bytes[i];
        clock().schedule_in(step * (i + 1), [this, b] { receive(UartRxByte { b }); });
    }
}

// A character is complete in the receive shift register: into the FIFO (or RBR), or lost.
void Uart16550::land(UartRxByte byte)
{
    if (m_rx.size() >= rx_capacity()) {
        ++counters.overruns;
        m_lsr_errors |= LSR_OE;
        if (!fifo_enabled())
            m_rx.back() = byte;   // 16450 mode: the new character overwrites RBR
    } else {
        m_rx.push_back(byte);
        ++counters.rx_bytes;
    }
    if (byte.parity_error)
        m_lsr_errors |= LSR_PE;
    if (byte.framing_error)
        m_lsr_errors |= LSR_FE;
    if (byte.brk)
        m_lsr_errors |= LSR_BI;
    m_rx_activity_ns = clock().now();
    restart_timeout();
    update_interrupt();
}

// The character timeout: bytes below the trigger level, none received or read for four
// character times ("FIFO Interrupt Mode Operation"). FIFO mode only.
void Uart16550::restart_timeout()
{
    clock().cancel(m_timeout_event);
    m_timeout_event = 0;
    if (!fifo_enabled() || m_rx.empty())
        return;
    m_timeout_event = clock().schedule_in(4 * character_ns(), [this] {
        m_timeout_event = 0;
        if (!m_rx.empty())
            m_timeout_pending = true;
        update_interrupt();
    });
}

u8 Uart16550::read_lsr()
{
    u8 value = m_lsr_errors;
    if (!m_rx.empty())
        value |= LSR_DR;
    if (m_tx.empty())
        value |= LSR_THRE;
    if (transmitter_idle())
        value |= LSR_TEMT;
    if (fifo_enabled()) {
        for (auto const& b : m_rx) {
            if (b.parity_error || b.framing_error || b.brk)
                value |= LSR_FIFO_ERROR;
        }
    }
    m_lsr_errors = 0;   // OE, PE, FE and BI are cleared by reading LSR
    return value;
}

// --- interrupts ------------------------------------------------------------------------------

u8 Uart16550::pending_cause() const
{
    if ((m_ier & IER_RLS) && m_lsr_errors)
        return IIR_RLS;
    bool const data = fifo_enabled() ? m_rx.size() >= trigger_level() : !m_rx.empty();
    if ((m_ier & IER_RDA) && data)
        return IIR_RDA;
    if ((m_ier & IER_RDA) && m_timeout_pending && !m_rx.empty())
        return IIR_TIMEOUT;
    if ((m_ier & IER_THRE) && m_thr_pending)
        return IIR_THRE;
    if ((m_ier & IER_MS) && (m_msr & 0x0F))
        return IIR_MS;
    return IIR_NONE;
}

u8 Uart16550::read_iir()
{
    u8 const cause = pending_cause();
    if (cause == IIR_THRE)
        m_thr_pending = false;   // reading IIR acknowledges THRE when it is the source (Table IV)
    if (cause == IIR_NONE)
        ++counters.iir_reads_none;
    return u8(cause | (fifo_enabled() ? IIR_FIFO : 0));
}

void Uart16550::write_ier(u8 value)
{
    u8 const before = m_ier;
    m_ier = value & 0x0F;
    // Enabling ETBEI with THR empty raises THRE at once: not in the datasheet's table, but every
    // 16550 does it and drivers rely on it (QEMU's serial.c models it the same way).
    if (!(before & IER_THRE) && (m_ier & IER_THRE) && m_tx.empty()) {
        m_thr_pending = true;
        ++counters.thre_interrupts;
    }
    if (!(m_ier & IER_THRE))
        m_thr_pending = false;
}

void Uart16550::write_mcr(u8 value) { m_mcr = value & 0x1F; }

void Uart16550::update_interrupt()
{
    bool const intr = pending_cause() != IIR_NONE;
    bool const wired = !out2_gates_interrupt || ((m_mcr & MCR_OUT2) && !(m_mcr & MCR_LOOP));
    bool const output = intr && wired;
    if (output == m_output)
        return;
    m_output = output;
    m_irq.set_level(output);
}

// --- transmitting ------------------------------------------------------------------------------

void Uart16550::write_thr(u8 value)
{
    ++counters.tx_bytes;
    m_thr_pending = false;   // writing THR clears a THRE interrupt
    if (m_tx.size() >= tx_capacity()) {
        violation("THR written while the transmit FIFO was full (LSR.THRE clear): byte " + hex(value)
                  + " was lost; wait for THRE, then write at most 16 bytes");
        return;
    }
    m_tx.push_back(value);
    start_shifting();
}

void Uart16550::start_shifting()
{
    while (!m_shifting && !m_tx.empty()) {
        m_shift_register = m_tx.front();
        m_tx.pop_front();
        m_shifting = true;
        if (m_tx.empty()) {   // the transmit FIFO (THR) just became empty: THRE
            m_thr_pending = true;
            if (m_ier & IER_THRE)
                ++counters.thre_interrupts;
        }
        if (!instant_tx) {
            m_shift_event = clock().schedule_in(character_ns(), [this] {
                m_shift_event = 0;
                shifted_out();
            });
            return;
        }
        m_shifting = false;
        if (m_mcr & MCR_LOOP)
            land(UartRxByte { m_shift_register });
        else
            m_line_out.push_back(m_shift_register);
    }
}

void Uart16550::shifted_out()
{
    m_shifting = false;
    if (m_mcr & MCR_LOOP)
        land(UartRxByte { m_shift_register });
    else
        m_line_out.push_back(m_shift_register);
    start_shifting();
    update_interrupt();
}

void Uart16550::write_fcr(u8 value)
{
    bool const toggled = (value ^ m_fcr) & FCR_ENABLE;
    // Changing the enable bit clears both FIFOs; the clear bits clear one each and reset themselves.
    bool const clear_rx = toggled || (value & FCR_CLEAR_RX);
    bool const clear_tx = toggled || (value & FCR_CLEAR_TX);
    if (clear_rx && !m_rx.empty()) {
        counters.bytes_dropped_by_fcr += m_rx.size();
        violation("FCR write " + hex(value) + " cleared the receive FIFO with " + std::to_string(m_rx.size())
                  + " received byte(s) in it: they were lost (" + (toggled ? "the FIFO enable bit changed"
                  : "ClearRx, bit 1, was set") + ")");
        m_rx.clear();
        m_lsr_errors &= u8(~LSR_OE);
        m_timeout_pending = false;
    }
    if (clear_tx && !m_tx.empty()) {
        m_tx.clear();
        m_thr_pending = true;
    }
    m_fcr = u8(value & 0xC1);
    restart_timeout();
}

}
