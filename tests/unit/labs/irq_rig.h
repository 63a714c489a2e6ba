#pragma once
// Lab 2 on the host: the kernel's 8259 code (arch/x86_64/irqchip/pic.cpp, lab 2's eoi()) and
// the IRQ core's dispatch (kernel/irq/irq_core.cpp) against the 8259 pair model
// (tests/unit/models/pic8259.h). The simulated CPU takes the pair's INTR, runs the INTA cycle and
// hands the vector's line to what the kernel would run: the check's `on_line`.
#include "../models/framework.h"
#include "../models/pic8259.h"
#include "../../../arch/x86_64/irqchip/pic.h"
#include <kernel/irq/irq.h>
#include <functional>

namespace labtest {

// The dispatch a check drives: irq::dispatch, or a grader self-test's wrong one.
using DispatchFunction = void (*)(irq::IrqLine line);

class IrqRig : public models::ModelFixture {
public:
    // `chip` is the kernel's Pic8259 (or a wrong one derived from it); the rig initialises it
    // as the kernel does (vectors 32-47, cascade open) and installs it as irq::irqchip().
    explicit IrqRig(arch::Pic8259& chip);
    ~IrqRig();
    IrqRig(IrqRig const&) = delete;
    IrqRig& operator=(IrqRig const&) = delete;

    models::Pic8259Pair pic;
    arch::Pic8259& chip;
    std::function<void(irq::IrqLine)> on_line;   // what the CPU runs for the line's vector
    u64 taken[16] {};                             // interrupts the CPU took, by line
};

}
