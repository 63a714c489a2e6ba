// Monitor command `irqs`: per-line interrupt counts, like /proc/interrupts.
#include <kernel/irq/irq_internal.h>
#include <kernel/irq/tasklet.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

MONITOR_COMMAND(irqs, "irqs", "per-line interrupt counts and handlers (like /proc/interrupts)")
{
    using namespace irq;
    kprint("controller: %s\n", irqchip().name());
    kprint("%-5s %10s %10s %9s  %-8s %s\n", "line", "handled", "unhandled", "spurious", "state", "handlers");
    for (IrqLine line = 0; line < irqchip().line_count(); ++line) {
        LineStats s = line_stats(line);
        if (s.handlers == 0 && s.handled == 0 && s.unhandled == 0 && s.spurious == 0)
            continue;
        char const* state = s.disabled ? "DISABLED" : (irqchip().is_masked(line) ? "masked" : "enabled");
        kprint("%-5u %10lu %10lu %9lu  %-8s ", line, s.handled, s.unhandled, s.spurious, state);
        for_each_action(line, [](IrqAction const& a, void*) { kprint("%s ", a.name); }, nullptr);
        kprint("\n");
    }
    if (irqchip_kind() == ChipKind::Apic)
        kprint("LAPIC spurious: %lu\n", spurious_apic_count());
    SoftirqStats st = softirq_stats();
    kprint("tasklets run: %lu (on interrupt exit %lu), handed to ksoftirqd %lu times\n", st.tasklets_run,
           st.run_on_irq_exit, st.handed_to_thread);
    // What the columns count, said where they are seen.
    kprint("handled: interrupts some handler claimed; unhandled: every handler said None (a shared line's\n"
           "  other device, or an edge the controller kept while the line was in service whose cause the\n"
           "  top half had already served); spurious: 8259 glitches on IRQ 7/15, never acknowledged\n");
}
