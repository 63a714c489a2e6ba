// Lab 3, part 3: the keyboard's bottom half (see lab/03-bottom-halves/README.md).
#include "ps2kbd.h"
#include <kstd/enforce.h>

namespace ps2kbd {

// The tasklet: every scan code the top half queued, oldest first, then the characters to tty0.
// Context: softirq (interrupts on, must not sleep). The only consumer of m_scancodes.
//
// Some bytes are not keys but the keyboard's replies to a command (the LED work item sends
// some): take_reply(code) returns true for those and has dealt with them. Everything else
// goes to translate(), whose characters emit() collects. When the ring is empty, deliver().
void Keyboard::bottom_half()
{
    // BEGIN LAB 3
    u8 code;
    while (m_scancodes.pop(code)) {
        if (take_reply(code))
            continue;
        translate(code);
    }
    deliver();
    // END LAB 3
}

// The push model (include/kernel/tty/tty.h): hands the characters this run translated
// (m_batch[0 .. m_batch_length)) to tty0 in one go: m_tty0.receive() puts them into its flip
// buffer (what does not fit is counted there as overflow), then one m_tty0.push() schedules
// tty0's bottom half, which runs the line discipline: editing, echo on the screen, lines for
// readers. Push once per batch, not per character, and not at all for an empty batch. Then the
// batch is empty. Context: softirq.
void Keyboard::deliver()
{
    // BEGIN LAB 3
    if (m_batch_length == 0)
        return;
    m_tty0.receive(ReadonlyBytes(m_batch, m_batch_length));
    m_tty0.push();
    m_batch_length = 0;
    // END LAB 3
    // STUB LAB 3: m_batch_length = 0;
}

// One scan code of set 1 (ps2kbd_regs.h, namespace set1):
//   * E0 (set1::EXTENDED) says the next code is an extended key: remember it for that code.
//   * Bit 7 (set1::BREAK) set: the key was released; clear it to get the key's make code.
//   * Shift (left 2A, right 36) and Ctrl (1D; E0 1D is the right one) are held: track both
//     press and release. Caps Lock (3A) toggles m_caps_lock on each press and asks for the LED
//     to follow (request_led_update()).
//   * Any other press of a key below KEYMAP_SIZE types keymap_plain[key], or keymap_shifted[key]
//     with a Shift held (0: nothing). Caps Lock flips the case of letters only (Shift + Caps Lock
//     gives lower case). With a Ctrl held, a letter types its control character:
//     Ctrl-A 0x01 ... Ctrl-Z 0x1A (the letter's code & 0x1F, whatever its case).
//   * An extended press types extended_sequence(key) if that is not nullptr (arrows, keypad
//     Enter, ...). Extended keys that extended_sequence() does not know (the "fake shifts"
//     E0 2A / E0 AA some keyboards add, right Alt) type nothing.
//   * Give each character to emit(); releases type nothing.
void Keyboard::translate(u8 code)
{
    // BEGIN LAB 3
    if (code == set1::EXTENDED) {
        m_extended = true;
        return;
    }
    bool const extended = m_extended;
    m_extended = false;
    bool const released = (code & set1::BREAK) != 0;
    u8 const key = u8(code & ~set1::BREAK);

    if (extended) {
        if (key == set1::CTRL) {
            m_right_ctrl = !released;
        } else if (!released) {
            if (char const* sequence = extended_sequence(key))
                emit(sequence);
        }
        return;
    }
    switch (key) {
    case set1::LEFT_SHIFT:
        m_left_shift = !released;
        return;
    case set1::RIGHT_SHIFT:
        m_right_shift = !released;
        return;
    case set1::CTRL:
        m_left_ctrl = !released;
        return;
    case set1::CAPS_LOCK:
        if (!released) {
            m_caps_lock = !m_caps_lock;
            request_led_update();
        }
        return;
    default:
        break;
    }
    if (released || key >= KEYMAP_SIZE)
        return;
    bool const shift = m_left_shift || m_right_shift;
    char c = shift ? keymap_shifted[key] : keymap_plain[key];
    if (c == 0)
        return;
    bool const letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (letter && m_caps_lock)
        c = char(c ^ 0x20);   // flips the case: ASCII upper and lower case differ in bit 5
    if (letter && (m_left_ctrl || m_right_ctrl))
        c = char(c & 0x1F);
    emit(u8(c));
    // END LAB 3
    // STUB LAB 3: (void)code;
}

}
