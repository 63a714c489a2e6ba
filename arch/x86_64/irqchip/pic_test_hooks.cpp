// Raising a PIC line in software, for tests (Pic8259::raise_for_test and
// inject_spurious_for_test, pic.h). A software `int` never touches the 8259: the ISR bit stays
// clear. For lines 7 and 15 that would look spurious, so the raised line is remembered and
// is_spurious() says no for it; for the other lines the EOI is harmless (a specific EOI for a
// level that is not in service changes nothing). Kept apart from pic.cpp, whose register code
// also compiles for the host unit tests.
#include "pic.h"
#include <kstd/enforce.h>

namespace arch {

namespace {

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

}

void Pic8259::raise_for_test(irq::IrqLine line)
{
    VERIFY(line < 16 && m_vector_base == irq::FIRST_IRQ_VECTOR);
    m_test_raised = u16(m_test_raised | (1u << line));
    SOFTWARE_INTERRUPTS[line]();
    // The handler has run by now (`int` is synchronous): forget the mark even if the handler
    // bypassed the IRQ core and never asked is_spurious().
    m_test_raised = u16(m_test_raised & ~(1u << line));
}

// Unlike raise_for_test, IRQ 7 is not marked as raised: is_spurious(7) reads the ISR, finds
// the bit clear, and the interrupt is treated as the glitch it imitates.
void Pic8259::inject_spurious_for_test()
{
    VERIFY(m_vector_base == irq::FIRST_IRQ_VECTOR);
    SOFTWARE_INTERRUPTS[7]();
}

}
