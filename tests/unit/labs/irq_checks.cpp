// The 8259 checks of lab 2 (irq_checks.h).
#include "irq_checks.h"
#include <string>

namespace labtest {

namespace {

std::string hex16(u16 value)
{
    char text[8];
    std::snprintf(text, sizeof(text), "0x%04x", value);
    return text;
}

// Which line it is, in the lecture's words.
std::string line_name(irq::IrqLine line)
{
    if (line == 0)
        return "IRQ 0 (the timer's line)";
    if (line == 4)
        return "IRQ 4 (the UART's line)";
    return "IRQ " + std::to_string(line);
}

std::string consequence(irq::IrqLine line)
{
    if (line == 0)
        return "the 8259 delivers neither it nor any other line again: the tick stops, and every sleep and "
               "timeout hangs";
    if (line < 8)
        return "the 8259 delivers neither it nor any line of lower priority again: the device interrupts once, "
               "then never again";
    return "the slave delivers none of its lines again";
}

void require_taken(IrqRig const& rig, irq::IrqLine line, u64 times, char const* when)
{
    if (rig.taken[line] != times)
        FAIL(line_name(line) << " was raised " << when << " but the CPU took it " << rig.taken[line] << " time(s) "
             "instead of " << times << " (8259 ISR " << hex16(rig.pic.in_service()) << ", IRR "
             << hex16(rig.pic.requested()) << ")");
}

}

void check_eoi_reopens_line(arch::Pic8259& chip, irq::IrqLine line)
{
    IrqRig rig(chip);
    rig.on_line = [&](irq::IrqLine taken) { rig.chip.eoi(taken); };   // the IRQ core's last step
    chip.unmask(line);
    rig.pic.pulse_irq(line);
    require_taken(rig, line, 1, "once");
    if (line >= 8 && (rig.pic.slave.isr() & (1u << (line - 8))))
        FAIL("slave EOI missing: after " << line_name(line) << " was handled the slave 8259 still has it in "
             "service (ISR " << hex16(rig.pic.in_service()) << "), so " << consequence(line) << ". A line of the "
             "slave needs a specific EOI to the slave (0x60 | " << line - 8 << " to 0xA0), then one to the master "
             "for IR2 (0x62 to 0x20)");
    if (line >= 8 && !rig.pic.violations.empty())
        FAIL("slave EOI in the wrong order: " << rig.pic.violations.front());
    if (line >= 8 && (rig.pic.master.isr() & (1u << models::Pic8259Pair::CASCADE)))
        FAIL("master EOI missing for a slave line: after " << line_name(line) << " the master still has IR2, the "
             "cascade, in service (ISR " << hex16(rig.pic.in_service()) << "), so it delivers neither the slave's "
             "lines nor its own IR3-7 again. After the slave's EOI, send 0x62 to the master (0x20)");
    if (line < 8 && rig.pic.line_in_service(line))
        FAIL("no EOI for " << line_name(line) << ": after it was handled the 8259 still has it in service (ISR "
             << hex16(rig.pic.in_service()) << "), and " << consequence(line) << ". eoi(" << line << ") must send "
             "the specific EOI, OCW2 0x60 | " << line << ", to the master's command port (0x20)");
    if (rig.pic.in_service() != 0)
        FAIL("after " << line_name(line) << " was handled, the 8259 still has lines in service (ISR "
             << hex16(rig.pic.in_service()) << "): eoi() cleared the wrong level");
    rig.pic.pulse_irq(line);
    require_taken(rig, line, 2, "twice, with an EOI in between,");
}

void check_dispatch_sends_eoi(DispatchFunction dispatch)
{
    arch::Pic8259 chip;
    IrqRig rig(chip);
    u64 calls = 0;
    irq::IrqLine const line = 4;
    rig.on_line = dispatch;
    auto handle = irq::request_irq(line, [](void* ctx) {
        ++*static_cast<u64*>(ctx);
        return irq::IrqReturn::Handled;
    }, &calls, irq::IrqFlags::None, "lab2-host");
    if (handle.is_error())
        FAIL("request_irq(4) failed with " << handle.error().name());
    rig.pic.pulse_irq(line);
    require_taken(rig, line, 1, "once");
    if (calls != 1)
        FAIL("the CPU took IRQ 4 and called irq::dispatch(4), which called the line's handler " << calls
             << " times instead of once");
    if (rig.pic.line_in_service(line))
        FAIL("no EOI from irq::dispatch(): dispatch(4) ran the handler but the 8259 still has IRQ 4 in service (ISR "
             << hex16(rig.pic.in_service()) << "), so the UART's line is never delivered again. After the "
             "handlers, dispatch() must call chip.eoi(line)");
    rig.pic.pulse_irq(line);
    require_taken(rig, line, 2, "twice");
    if (calls != 2)
        FAIL("two interrupts on IRQ 4 called the handler " << calls << " times");
}

}
