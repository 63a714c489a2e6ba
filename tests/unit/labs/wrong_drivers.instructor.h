#pragma once
// The purpose-made wrong drivers of labs 1-3 for the grader's self-tests (instructor-only: this
// header and the wrong_*.instructor.cpp files never reach a handout). Each is this tree's code
// with one classic mistake; the self-tests (lab/0N-*/tests/host/selftests.instructor.cpp) run
// the lab's own host check on it and the grader expects the check's message to name the mistake
// (tests/kernel/rubric.toml, INSTRUCTOR block). The mistakes are listed in each .cpp file.
#include "irq_rig.h"
#include "kbd_rig.h"
#include "uart_rig.h"

namespace labtest::wrong {

// wrong_uart.instructor.cpp (labs 1 and 2)
extern UartDriver const uart_init_clears_fifo;
extern UartDriver const uart_getc_without_dr;
extern UartDriver const uart_putc_without_thre;
extern UartDriver const uart_no_iir_loop;
extern UartDriver const uart_thre_never_enabled;
extern UartDriver const uart_thre_left_enabled;
extern UartDriver const uart_iir_spinner;
extern UartDriver const uart_overrun_ignored;

// wrong_irq.instructor.cpp (lab 2): 8259s whose eoi() is wrong, and a dispatch without the EOI.
arch::Pic8259& pic_no_eoi();
arch::Pic8259& pic_eoi_timer_only();
arch::Pic8259& pic_master_eoi_only();
arch::Pic8259& pic_master_eoi_first();
void dispatch_without_eoi(irq::IrqLine line);

// wrong_keyboard.instructor.cpp (lab 3)
extern ps2kbd::KeyboardHalves const kbd_top_half_sleeps;
extern ps2kbd::KeyboardHalves const kbd_tasklet_sleeps;
extern ps2kbd::KeyboardHalves const kbd_break_as_make;
extern ps2kbd::KeyboardHalves const kbd_modifiers_in_top_half;

}
