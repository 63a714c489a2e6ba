// Chooses what delivers the periodic tick:
//  * PIC mode: PIT channel 0 on ISA IRQ 0, requested through the IRQ core like any device.
//  * APIC mode: the LAPIC timer on its own vector; `tick=pit` on the command line (or a LAPIC
//    timer that fails to calibrate) selects the PIT instead, which then arrives through the
//    IOAPIC on the line the MADT override gives IRQ 0 (GSI 2 on QEMU).
#include "lapic_timer.h"
#include "pit.h"
#include <kernel/irq/irq.h>
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace arch {

namespace {

void (*g_pit_handler)() = nullptr;
irq::IrqHandle g_pit_irq;   // owns the PIT's line for the life of the kernel

irq::IrqReturn pit_interrupt(void*)
{
    // The PIT has no status to read or acknowledge: every IRQ 0 is a tick.
    g_pit_handler();
    return irq::IrqReturn::Handled;
}

ErrorOr<TickTimer> start_pit(u32 hz, void (*handler)())
{
    g_pit_handler = handler;
    irq::IrqLine line = irq::irqchip().isa_irq_to_line(0);
    u16 divisor = pit::start_periodic(hz);
    g_pit_irq = TRY(irq::request_irq(line, pit_interrupt, nullptr, irq::IrqFlags::None, "timer (PIT)"));
    log_info("time: PIT channel 0 divisor %u (%u.%03u Hz) on line %u\n", divisor, pit::INPUT_HZ / divisor,
             u32(u64(pit::INPUT_HZ) * 1000 / divisor % 1000), line);
    return TickTimer { "PIT", i32(line) };
}

bool pit_requested()
{
    auto word = kernel_cmdline().get("tick");
    return word.has_value() && *word == kstd::StringView("pit");
}

}

ErrorOr<TickTimer> start_tick_timer(u32 hz, void (*handler)())
{
    if (irq::irqchip_kind() == irq::ChipKind::Apic && !pit_requested()) {
        auto started = lapic_timer::start_periodic(hz, handler);
        if (!started.is_error())
            return TickTimer { "LAPIC timer", -1 };
        log_warn("time: LAPIC timer unusable (%s); falling back to the PIT\n", started.error().name());
    }
    return start_pit(hz, handler);
}

}
