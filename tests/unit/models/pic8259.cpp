// The 8259A pair model (pic8259.h).
#include <kstd/error.h>
#include "pic8259.h"
#include <string>

namespace models {

// --- one chip ----------------------------------------------------------------------------------

u8 Pic8259Chip::read(bool data_port)
{
    if (data_port)
        return m_imr;
    return m_read_isr ? m_isr : m_irr;   // OCW3 chose which one the command port shows
}

void Pic8259Chip::write(bool data_port, u8 value)
{
    if (!data_port) {
        command(value);
        return;
    }
    switch (m_init_step) {
    case 2:   // ICW2: the vector base (bits 3-7)
        m_vector_base = u8(value & 0xF8);
        m_init_step = m_single ? (m_icw4 ? 4 : 0) : 3;
        break;
    case 3:   // ICW3: the cascade wiring (master: bit mask of slaves; slave: its id)
        m_init_step = m_icw4 ? 4 : 0;
        break;
    case 4:   // ICW4: 8086 mode, normal EOI
        m_init_step = 0;
        break;
    default:  // OCW1: the mask
        m_imr = value;
        return;
    }
    m_initialised = m_init_step == 0;
}

void Pic8259Chip::command(u8 value)
{
    if (value & 0x10) {   // ICW1: start of initialisation; clears IMR and ISR
        m_icw4 = value & 0x01;
        m_single = value & 0x02;
        m_init_step = 2;
        m_initialised = false;
        m_imr = 0;
        m_isr = 0;
        m_irr = 0;
        m_read_isr = false;
        return;
    }
    if (value & 0x08) {   // OCW3: bits 1-0 = 10 read IRR, 11 read ISR
        if (value & 0x02)
            m_read_isr = value & 0x01;
        return;
    }
    // OCW2: bits 7-5 are R, SL, EOI. 001 non-specific EOI, 011 specific EOI for level bits 2-0.
    unsigned const kind = value >> 5;
    if (kind == 0b001) {
        for (int level = 0; level < 8; ++level) {
            if (m_isr & (1u << level)) {
                eoi(level);
                return;
            }
        }
        eoi(-1);
    } else if (kind == 0b011) {
        eoi(value & 7);
    }
}

void Pic8259Chip::eoi(int level)
{
    ++m_eois;
    if (level < 0 || !(m_isr & (1u << level))) {
        ++m_eois_not_in_service;   // harmless: nothing was in service at that level
        m_last_eoi_level = -1;
        return;
    }
    m_isr = u8(m_isr & ~(1u << level));
    m_last_eoi_level = level;
}

void Pic8259Chip::set_input(unsigned pin, bool high, bool level_triggered)
{
    u8 const bit = u8(1u << pin);
    bool const was_high = m_inputs & bit;
    m_inputs = high ? u8(m_inputs | bit) : u8(m_inputs & ~bit);
    if (level_triggered)
        m_irr = high ? u8(m_irr | bit) : u8(m_irr & ~bit);
    else if (high && !was_high)
        m_irr |= bit;   // a rising edge is latched until INTA
}

int Pic8259Chip::pending() const
{
    if (!m_initialised)
        return -1;
    for (int level = 0; level < 8; ++level) {
        if (m_isr & (1u << level))
            return -1;   // in service: holds back itself and every lower priority
        if ((m_irr & ~m_imr) & (1u << level))
            return level;
    }
    return -1;
}

int Pic8259Chip::acknowledge(u8 level_triggered)
{
    int const level = pending();
    if (level < 0)
        return -1;
    u8 const bit = u8(1u << level);
    m_isr |= bit;
    if (!(level_triggered & bit))
        m_irr = u8(m_irr & ~bit);
    return level;
}

// --- the pair ----------------------------------------------------------------------------------

Pic8259Pair::Pic8259Pair()
{
    intr.connect([this] {
        u8 const vector = inta();
        if (m_handler)
            m_handler(vector);
    });
}

Pic8259Pair::~Pic8259Pair()
{
    if (m_attached)
        port_bus().detach(*this);
}

void Pic8259Pair::attach()
{
    port_bus().attach(0x20, 2, *this, "8259 master");
    port_bus().attach(0xA0, 2, *this, "8259 slave");
    port_bus().attach(0x4D0, 2, *this, "ELCR");
    m_attached = true;
}

void Pic8259Pair::wire(InterruptLine& line, unsigned irq)
{
    VERIFY(irq < 16 && irq != CASCADE);
    line.route_to([this, irq](bool high) { set_irq(irq, high); });
}

void Pic8259Pair::on_interrupt(std::function<void(u8)> handler) { m_handler = std::move(handler); }

void Pic8259Pair::set_irq(unsigned irq, bool high)
{
    VERIFY(irq < 16);
    bool const level = elcr & (1u << irq);
    if (irq < 8)
        master.set_input(irq, high, level);
    else
        slave.set_input(irq - 8, high, level);
    update();
}

// The slave's INT drives the master's IR2 (edge-triggered on a PC); the master's INT is INTR.
void Pic8259Pair::update()
{
    master.set_input(CASCADE, slave.pending() >= 0, false);
    intr.set_level(master.pending() >= 0);
}

u8 Pic8259Pair::inta()
{
    int const level = master.acknowledge(u8(elcr));
    u8 vector;
    if (level < 0) {
        ++spurious;   // the request went away before INTA: IR7, nothing in service
        vector = u8(master.vector_base() + 7);
    } else if (level == int(CASCADE)) {
        int const slave_level = slave.acknowledge(u8(elcr >> 8));
        if (slave_level < 0) {
            ++spurious;   // IR15, with the master's IR2 in service (it needs its EOI)
            vector = u8(slave.vector_base() + 7);
        } else {
            ++delivered[8 + slave_level];
            vector = u8(slave.vector_base() + slave_level);
        }
    } else {
        ++delivered[level];
        vector = u8(master.vector_base() + level);
    }
    update();
    return vector;
}

std::string Pic8259Pair::violations_text() const
{
    std::string out;
    for (auto const& v : violations)
        out += "  " + v + "\n";
    return out.empty() ? "  (none)\n" : out;
}

u32 Pic8259Pair::port_read(u16 port, u8 width)
{
    VERIFY(width == 1);
    if (port == 0x4D0 || port == 0x4D1)
        return port == 0x4D0 ? u8(elcr) : u8(elcr >> 8);
    return (port < 0xA0 ? master : slave).read(port & 1);
}

void Pic8259Pair::port_write(u16 port, u8 width, u32 value)
{
    VERIFY(width == 1);
    if (port == 0x4D0 || port == 0x4D1) {
        elcr = port == 0x4D0 ? u16((elcr & 0xFF00) | u8(value)) : u16((elcr & 0x00FF) | u8(value) << 8);
        return;
    }
    bool const is_master = port < 0xA0;
    bool const eoi_command = !(port & 1) && (value & 0x18) == 0 && (value & 0x20);
    if (is_master && eoi_command && slave.isr() != 0) {
        // An EOI that may clear the cascade's level while the slave still has a line in service.
        bool const specific = (value & 0xE0) == 0x60;
        bool const clears_cascade = specific ? (value & 7) == CASCADE : (master.isr() & 0x03) == 0;
        if (clears_cascade && violations.size() < 16) {
            int level = 0;
            while (!(slave.isr() & (1u << level)))
                ++level;
            violations.push_back("the master got its EOI for IR2 (the cascade) while the slave still had line "
                                 + std::to_string(8 + level) + " in service: send the slave's EOI first, then the "
                                 "master's");
        }
    }
    (is_master ? master : slave).write(port & 1, u8(value));
    update();
}

}
