#pragma once
// Host stand-ins for the kernel's interrupt controller choice and workqueue (host_irq.cpp).
namespace irq { class IrqChip; }

namespace models {

// The controller irq::irqchip() returns (and irq::dispatch() sends its EOI to); nullptr again
// after the test.
void set_irqchip(irq::IrqChip* chip);
// Drops work items queued but not run (between tests).
void forget_work();

}
