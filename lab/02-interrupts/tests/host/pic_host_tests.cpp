// Lab 2 on the host: your Pic8259::eoi() (arch/x86_64/irqchip/pic.cpp) and irq::dispatch()
// (kernel/irq/irq_core.cpp) against a register-level model of the PC's two 8259s
// (tests/unit/models/pic8259.h), which keeps a line in service until its EOI. The checks are in
// tests/unit/labs/irq_checks.cpp. Run them with `make unit-tests UNIT_ARGS='[lab2]'`.
#include <labs/irq_checks.h>

using namespace labtest;

// The timer's line first: the handout's stand-in already sends its EOI (so that the clock runs
// before this exercise is done); the UART's line is yours.
TEST_CASE("lab 2: the EOI re-opens the timer's line (IRQ 0) and the UART's (IRQ 4)", "[.lab2][pic_host_eoi]")
{
    arch::Pic8259 chip;
    check_eoi_reopens_line(chip, 0);
    check_eoi_reopens_line(chip, 4);
}

TEST_CASE("lab 2: a slave line (IRQ 14) gets the slave's EOI, then the master's", "[.lab2][pic_host_eoi_slave]")
{
    arch::Pic8259 chip;
    check_eoi_reopens_line(chip, 14);
}

TEST_CASE("lab 2: irq::dispatch runs the handler and ends with the EOI", "[.lab2][pic_host_dispatch_eoi]")
{
    check_dispatch_sends_eoi(irq::dispatch);
}
