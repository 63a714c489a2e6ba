// Purpose-made wrong EOIs and a wrong dispatch for the grader's self-tests of lab 2
// (instructor-only). Each 8259 is the kernel's Pic8259 with eoi() replaced:
//
//   pic_no_eoi             sends no EOI at all: every line stays in service after its first
//                          interrupt (the timer's first, so the tick stops)
//   pic_eoi_timer_only     the lab 2 handout's stand-in: only the timer's line gets its EOI, so
//                          the UART interrupts once and then never again
//   pic_master_eoi_only    a slave line gets only the master's EOI: the slave keeps it in service
//   pic_master_eoi_first   a slave line gets both EOIs, the master's first
//   dispatch_without_eoi   calls every handler of the line and never chip.eoi()
#include "wrong_drivers.instructor.h"
#include <kernel/irq/irq_internal.h>

namespace labtest::wrong {

namespace {

using arch::pic::OCW2_SPECIFIC_EOI;
using arch::pic::CASCADE_LINE;
namespace pic_regs = arch::pic::regs;

class NoEoi final : public arch::Pic8259 {
public:
    void eoi(irq::IrqLine) override {}
};

class TimerEoiOnly final : public arch::Pic8259 {
public:
    void eoi(irq::IrqLine line) override
    {
        if (line == 0)
            m_master.write(pic_regs::command, u8(OCW2_SPECIFIC_EOI | line));
    }
};

class MasterEoiOnly final : public arch::Pic8259 {
public:
    void eoi(irq::IrqLine line) override
    {
        if (line >= 16)
            return;
        m_master.write(pic_regs::command, u8(OCW2_SPECIFIC_EOI | (line >= 8 ? CASCADE_LINE : line)));
    }
};

class MasterEoiFirst final : public arch::Pic8259 {
public:
    void eoi(irq::IrqLine line) override
    {
        if (line >= 16)
            return;
        if (line < 8) {
            m_master.write(pic_regs::command, u8(OCW2_SPECIFIC_EOI | line));
            return;
        }
        m_master.write(pic_regs::command, u8(OCW2_SPECIFIC_EOI | CASCADE_LINE));
        m_slave.write(pic_regs::command, u8(OCW2_SPECIFIC_EOI | (line - 8)));
    }
};

void call_handler(irq::IrqAction const& action, void*) { (void)action.handler(action.ctx); }

}

arch::Pic8259& pic_no_eoi()
{
    static NoEoi chip;
    return chip;
}

arch::Pic8259& pic_eoi_timer_only()
{
    static TimerEoiOnly chip;
    return chip;
}

arch::Pic8259& pic_master_eoi_only()
{
    static MasterEoiOnly chip;
    return chip;
}

arch::Pic8259& pic_master_eoi_first()
{
    static MasterEoiFirst chip;
    return chip;
}

void dispatch_without_eoi(irq::IrqLine line) { irq::for_each_action(line, call_handler, nullptr); }

}
