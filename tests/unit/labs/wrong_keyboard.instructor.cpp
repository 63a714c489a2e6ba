// Purpose-made wrong keyboard halves for the grader's self-tests of lab 3 (instructor-only).
// Each pair is the lab's with one classic mistake:
//
//   kbd_top_half_sleeps        the top half takes the controller's mutex around its read
//   kbd_tasklet_sleeps         the tasklet sets the Caps Lock LED itself and sleeps for the ACK
//   kbd_break_as_make          the tasklet clears bit 7 of every code: releases type again
//   kbd_modifiers_in_top_half  the top half tracks Shift itself and queues only the other codes
#include "wrong_drivers.instructor.h"

namespace labtest::wrong {

namespace {

using namespace ps2kbd;

irq::IrqReturn top_half_with_mutex(Keyboard& kbd)
{
    sched::MutexGuard guard(kbd.m_controller_lock);   // "nobody else may use the controller now"
    return kbd.top_half();
}

void tasklet_waiting_for_leds(Keyboard& kbd)
{
    u8 code;
    while (kbd.m_scancodes.pop(code)) {
        if (kbd.take_reply(code))
            continue;
        kbd.translate(code);
        if (code == set1::CAPS_LOCK)
            (void)kbd.update_leds();   // sends ED and sleeps until the keyboard ACKs it
    }
    kbd.deliver();
}

void releases_as_presses(Keyboard& kbd)
{
    u8 code;
    while (kbd.m_scancodes.pop(code)) {
        if (kbd.take_reply(code))
            continue;
        kbd.translate(code == set1::EXTENDED ? code : u8(code & ~set1::BREAK));
    }
    kbd.deliver();
}

irq::IrqReturn top_half_tracking_shift(Keyboard& kbd)
{
    auto const status = kbd.m_command.read(i8042::regs::status);
    if (!has(status, i8042::Status::OutputFull) || has(status, i8042::Status::AuxData))
        return irq::IrqReturn::None;
    u8 const code = kbd.m_data.read(i8042::regs::data);
    u8 const key = u8(code & ~set1::BREAK);
    if (key == set1::LEFT_SHIFT || key == set1::RIGHT_SHIFT) {
        (key == set1::LEFT_SHIFT ? kbd.m_left_shift : kbd.m_right_shift) = !(code & set1::BREAK);
        return irq::IrqReturn::Handled;   // "no need to queue a modifier"
    }
    if (!kbd.m_scancodes.push(code))
        ++kbd.m_overruns;
    kbd.m_tasklet.schedule();
    return irq::IrqReturn::Handled;
}

irq::IrqReturn lab_top_half(Keyboard& kbd) { return kbd.top_half(); }
void lab_bottom_half(Keyboard& kbd) { kbd.bottom_half(); }

}

KeyboardHalves const kbd_top_half_sleeps { "kbd_top_half_sleeps", top_half_with_mutex, lab_bottom_half };
KeyboardHalves const kbd_tasklet_sleeps { "kbd_tasklet_sleeps", lab_top_half, tasklet_waiting_for_leds };
KeyboardHalves const kbd_break_as_make { "kbd_break_as_make", lab_top_half, releases_as_presses };
KeyboardHalves const kbd_modifiers_in_top_half { "kbd_modifiers_in_top_half", top_half_tracking_shift,
                                                 lab_bottom_half };

}
