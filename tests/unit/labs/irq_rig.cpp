// The 8259 rig for lab 2 on the host (irq_rig.h).
#include "irq_rig.h"
#include "../models/host_irq.h"

namespace labtest {

namespace {
IrqRig* g_rig = nullptr;   // the rig whose model the kernel's test hooks raise lines on
}

IrqRig::IrqRig(arch::Pic8259& c) : chip(c)
{
    g_rig = this;
    pic.attach();
    pic.on_interrupt([this](u8 vector) {
        if (vector < irq::FIRST_IRQ_VECTOR || vector >= irq::FIRST_IRQ_VECTOR + 16)
            return;
        irq::IrqLine const line = vector - irq::FIRST_IRQ_VECTOR;
        ++taken[line];
        if (on_line)
            on_line(line);
    });
    chip.init(irq::FIRST_IRQ_VECTOR, true);
    models::set_irqchip(&chip);
}

IrqRig::~IrqRig()
{
    models::set_irqchip(nullptr);
    g_rig = nullptr;
}

}

// The kernel raises a line for its tests with a software `int` (pic_test_hooks.cpp); on the host
// the line is pulsed on the model, which is what a device would do.
void arch::Pic8259::raise_for_test(irq::IrqLine line)
{
    VERIFY(labtest::g_rig != nullptr && line < 16);
    labtest::g_rig->pic.pulse_irq(line);
}

void arch::Pic8259::inject_spurious_for_test() { VERIFY(false && "no spurious interrupts on the host model"); }

namespace labtest {

}
