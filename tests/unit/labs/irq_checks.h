#pragma once
// The checks of lab 2 that need the 8259 model (irq_rig.h): the EOI re-opens each line, in the
// right order for the slave's, and irq::dispatch() ends each interrupt with one. The lab tests
// (lab/02-interrupts/tests/host) run them on this tree's code; the grader's self-tests on
// purpose-made wrong EOIs and dispatches, expecting exactly these messages.
#include "irq_rig.h"

namespace labtest {

// An interrupt on `line` is taken, the IRQ core's part is played (chip.eoi(line)), and the line
// must be out of service (both chips' for a slave line, the slave's EOI first) and deliver again.
// Line 0 is the timer's, 4 the UART's, 8-15 the slave's.
void check_eoi_reopens_line(arch::Pic8259& chip, irq::IrqLine line);
// irq::dispatch (or `dispatch`) on a line with a handler: the handler runs once, and the line is
// out of service afterwards (dispatch sent the EOI through the chip), twice in a row.
void check_dispatch_sends_eoi(DispatchFunction dispatch);

}
