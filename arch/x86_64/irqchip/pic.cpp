// The 8259A PIC pair (registers: pic_regs.h). Lines 0-7 are the master's inputs, 8-15 the
// slave's, which reach the CPU through the master's IR2 (the cascade).
//
// Rules this file follows:
//  * Both chips are remapped away from the CPU exception vectors (the BIOS leaves the master at
//    vector 8, where IRQ 0 would look like a double fault).
//  * Every line starts masked; only the cascade is open, and only in PIC mode.
//  * EOIs are *specific* (OCW2 0x60 | level): a slave line needs one to the slave and then one
//    to the master for IR2.
//  * Spurious interrupts: when a request disappears before the CPU's INTA, the 8259 answers
//    with its lowest-priority level (IR7) without setting the in-service bit. So a line 7 or 15
//    with its ISR bit clear is spurious and must not get an EOI — except that a spurious 15
//    came through the master's IR2, which *is* in service and still needs its EOI.
//  * The registers are reached through io::PortWindow, as a driver reaches its device, so this
//    file compiles for the host unit tests against an 8259 model (lab 2's EOI is tested there).
//    The software interrupts of raise_for_test() are in pic_test_hooks.cpp.
#include "pic.h"
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace arch {

namespace {

u16 bit(irq::IrqLine line) { return u16(1u << line); }

// Handout scaffolding, not part of lab 2's answer. Before a student has written eoi(), the
// clock's line still gets its EOI, so the tick (and the scheduler with it) keeps running. Any
// other line stays in service after its first interrupt.
[[maybe_unused]] void eoi_tick_only(io::PortWindow const& master, irq::IrqLine line)
{
    if (line < 8 && i32(line) == time::tick_irq_line())
        master.write(pic::regs::command, u8(pic::OCW2_SPECIFIC_EOI | line));
}

}

// The 8259A needs a few bus cycles between initialisation words on real hardware; a write to
// the unused POST port 0x80 is the traditional delay.
void Pic8259::io_wait() const { m_post.write8(0, 0); }

void Pic8259::init(u8 vector_base, bool open_cascade)
{
    InterruptsDisabled guard;
    m_vector_base = vector_base;
    using pic::regs::command, pic::regs::data;
    m_master.write(data, 0xff);   // silence both while they are reprogrammed
    m_slave.write(data, 0xff);

    m_master.write(command, pic::ICW1_INIT | pic::ICW1_ICW4);
    io_wait();
    m_slave.write(command, pic::ICW1_INIT | pic::ICW1_ICW4);
    io_wait();
    m_master.write(data, vector_base);       // ICW2
    io_wait();
    m_slave.write(data, u8(vector_base + 8));
    io_wait();
    m_master.write(data, pic::ICW3_MASTER_SLAVE_ON_IR2);
    io_wait();
    m_slave.write(data, pic::ICW3_SLAVE_ID);
    io_wait();
    m_master.write(data, pic::ICW4_8086);
    io_wait();
    m_slave.write(data, pic::ICW4_8086);
    io_wait();

    m_masks = 0xffff;
    if (open_cascade)
        m_masks = u16(m_masks & ~bit(pic::CASCADE_LINE));
    write_masks();
}

void Pic8259::write_masks()
{
    m_master.write(pic::regs::data, u8(m_masks));
    m_slave.write(pic::regs::data, u8(m_masks >> 8));
}

u16 Pic8259::elcr() const { return u16(m_elcr.read(pic::regs::elcr_master) | (m_elcr.read(pic::regs::elcr_slave) << 8)); }

u16 Pic8259::in_service() const
{
    m_master.write(pic::regs::command, pic::OCW3_READ_ISR);
    m_slave.write(pic::regs::command, pic::OCW3_READ_ISR);
    return u16(m_master.read(pic::regs::command) | (m_slave.read(pic::regs::command) << 8));
}

u16 Pic8259::requested() const
{
    m_master.write(pic::regs::command, pic::OCW3_READ_IRR);
    m_slave.write(pic::regs::command, pic::OCW3_READ_IRR);
    return u16(m_master.read(pic::regs::command) | (m_slave.read(pic::regs::command) << 8));
}

void Pic8259::mask(irq::IrqLine line)
{
    // The cascade is not a device line: masking it would silence all of 8-15.
    if (line >= 16 || line == pic::CASCADE_LINE)
        return;
    InterruptsDisabled guard;
    m_masks = u16(m_masks | bit(line));
    write_masks();
}

void Pic8259::unmask(irq::IrqLine line)
{
    if (line >= 16 || line == pic::CASCADE_LINE)
        return;
    InterruptsDisabled guard;
    m_masks = u16(m_masks & ~bit(line));
    write_masks();
}

bool Pic8259::is_masked(irq::IrqLine line) const { return line >= 16 || (m_masks & bit(line)) != 0; }

// End of interrupt: clears the line's in-service bit, so that the 8259 delivers this line, and
// every line of lower priority, again. A line of the slave reached the CPU through the master's
// IR2, which is in service too: it needs an EOI on both chips, the slave's first.
void Pic8259::eoi(irq::IrqLine line)
{
    // BEGIN LAB 2
    if (line >= 16)
        return;
    if (line >= 8) {
        m_slave.write(pic::regs::command, u8(pic::OCW2_SPECIFIC_EOI | (line - 8)));
        m_master.write(pic::regs::command, u8(pic::OCW2_SPECIFIC_EOI | pic::CASCADE_LINE));
        return;
    }
    m_master.write(pic::regs::command, u8(pic::OCW2_SPECIFIC_EOI | line));
    // END LAB 2
    // STUB LAB 2: eoi_tick_only(m_master, line);   // lab 2: send the EOI (OCW2, pic_regs.h)
}

bool Pic8259::is_spurious(irq::IrqLine line)
{
    if (line != pic::SPURIOUS_LEVEL && line != 8 + pic::SPURIOUS_LEVEL)
        return false;
    if (m_test_raised & bit(line))
        return false;
    return (in_service() & bit(line)) == 0;
}

void Pic8259::acknowledge_spurious(irq::IrqLine line)
{
    // A spurious 15 passed through the master's IR2, which is genuinely in service.
    if (line == 8 + pic::SPURIOUS_LEVEL)
        m_master.write(pic::regs::command, u8(pic::OCW2_SPECIFIC_EOI | pic::CASCADE_LINE));
}

void Pic8259::configure(irq::IrqLine line, irq::Trigger trigger, irq::Polarity)
{
    // The 8259 cannot be programmed per line: the firmware sets the ELCR for the PCI lines it
    // routed, and polarity is fixed (the south bridge inverts active-low PCI INTx). Only say so
    // when a driver expects something else.
    if (line >= 16)
        return;
    bool level = (elcr() & bit(line)) != 0;
    if (level != (trigger == irq::Trigger::Level))
        log_debug("pic: IRQ %u is %s-triggered per ELCR; %s requested\n", line, level ? "level" : "edge",
                  trigger == irq::Trigger::Level ? "level" : "edge");
}

}
