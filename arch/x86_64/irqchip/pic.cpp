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
//  * raise_for_test() is a software `int`, which never touches the 8259: the ISR bit stays
//    clear. For lines 7 and 15 that would look spurious, so the raised line is remembered and
//    is_spurious() says no for it; for the other lines the EOI is harmless (a specific EOI for
//    a level that is not in service changes nothing).
#include "pic.h"
#include "pic_regs.h"
#include <arch/cpu.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace arch {

namespace {

// The 8259A needs a few bus cycles between initialisation words on real hardware; a write to
// the unused POST port 0x80 is the traditional delay.
void io_wait() { out8(0x80, 0); }

u16 bit(irq::IrqLine line) { return u16(1u << line); }

using SoftwareInterrupt = void (*)();

template<u8 Vector>
void software_interrupt()
{
    asm volatile("int %0" ::"i"(Vector) : "memory");
}

// `int` takes its vector as an immediate, so there is one tiny function per line.
template<u8 Line>
constexpr SoftwareInterrupt raise_line = &software_interrupt<u8(irq::FIRST_IRQ_VECTOR + Line)>;
constexpr SoftwareInterrupt SOFTWARE_INTERRUPTS[16] = {
    raise_line<0>, raise_line<1>, raise_line<2>, raise_line<3>, raise_line<4>, raise_line<5>,
    raise_line<6>, raise_line<7>, raise_line<8>, raise_line<9>, raise_line<10>, raise_line<11>,
    raise_line<12>, raise_line<13>, raise_line<14>, raise_line<15>,
};

// Handout scaffolding, not part of lab 2's answer. Before a student has written eoi(), the
// clock's line still gets its EOI, so the tick (and the scheduler with it) keeps running. Any
// other line stays in service after its first interrupt.
[[maybe_unused]] void eoi_tick_only(irq::IrqLine line)
{
    if (line < 8 && i32(line) == time::tick_irq_line())
        out8(pic::MASTER_COMMAND, u8(pic::OCW2_SPECIFIC_EOI | line));
}

}

void Pic8259::init(u8 vector_base, bool open_cascade)
{
    InterruptsDisabled guard;
    m_vector_base = vector_base;
    out8(pic::MASTER_DATA, 0xff);   // silence both while they are reprogrammed
    out8(pic::SLAVE_DATA, 0xff);

    out8(pic::MASTER_COMMAND, pic::ICW1_INIT | pic::ICW1_ICW4);
    io_wait();
    out8(pic::SLAVE_COMMAND, pic::ICW1_INIT | pic::ICW1_ICW4);
    io_wait();
    out8(pic::MASTER_DATA, vector_base);       // ICW2
    io_wait();
    out8(pic::SLAVE_DATA, u8(vector_base + 8));
    io_wait();
    out8(pic::MASTER_DATA, pic::ICW3_MASTER_SLAVE_ON_IR2);
    io_wait();
    out8(pic::SLAVE_DATA, pic::ICW3_SLAVE_ID);
    io_wait();
    out8(pic::MASTER_DATA, pic::ICW4_8086);
    io_wait();
    out8(pic::SLAVE_DATA, pic::ICW4_8086);
    io_wait();

    m_masks = 0xffff;
    if (open_cascade)
        m_masks = u16(m_masks & ~bit(pic::CASCADE_LINE));
    write_masks();
}

void Pic8259::write_masks()
{
    out8(pic::MASTER_DATA, u8(m_masks));
    out8(pic::SLAVE_DATA, u8(m_masks >> 8));
}

u16 Pic8259::elcr() const { return u16(in8(pic::ELCR_MASTER) | (in8(pic::ELCR_SLAVE) << 8)); }

u16 Pic8259::in_service() const
{
    out8(pic::MASTER_COMMAND, pic::OCW3_READ_ISR);
    out8(pic::SLAVE_COMMAND, pic::OCW3_READ_ISR);
    return u16(in8(pic::MASTER_COMMAND) | (in8(pic::SLAVE_COMMAND) << 8));
}

u16 Pic8259::requested() const
{
    out8(pic::MASTER_COMMAND, pic::OCW3_READ_IRR);
    out8(pic::SLAVE_COMMAND, pic::OCW3_READ_IRR);
    return u16(in8(pic::MASTER_COMMAND) | (in8(pic::SLAVE_COMMAND) << 8));
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
        out8(pic::SLAVE_COMMAND, u8(pic::OCW2_SPECIFIC_EOI | (line - 8)));
        out8(pic::MASTER_COMMAND, u8(pic::OCW2_SPECIFIC_EOI | pic::CASCADE_LINE));
        return;
    }
    out8(pic::MASTER_COMMAND, u8(pic::OCW2_SPECIFIC_EOI | line));
    // END LAB 2
    // STUB LAB 2: eoi_tick_only(line);   // lab 2: send the EOI (OCW2, pic_regs.h)
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
        out8(pic::MASTER_COMMAND, u8(pic::OCW2_SPECIFIC_EOI | pic::CASCADE_LINE));
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

void Pic8259::raise_for_test(irq::IrqLine line)
{
    VERIFY(line < 16 && m_vector_base == irq::FIRST_IRQ_VECTOR);
    m_test_raised = u16(m_test_raised | bit(line));
    SOFTWARE_INTERRUPTS[line]();
    // The handler has run by now (`int` is synchronous): forget the mark even if the handler
    // bypassed the IRQ core and never asked is_spurious().
    m_test_raised = u16(m_test_raised & ~bit(line));
}

// Unlike raise_for_test, IRQ 7 is not marked as raised: is_spurious(7) reads the ISR, finds
// the bit clear, and the interrupt is treated as the glitch it imitates.
void Pic8259::inject_spurious_for_test()
{
    VERIFY(m_vector_base == irq::FIRST_IRQ_VECTOR);
    SOFTWARE_INTERRUPTS[7]();
}

}
