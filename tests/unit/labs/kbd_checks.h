#pragma once
// The checks of lab 3 that need the 8042 model (kbd_rig.h): neither half sleeps, releases are
// not presses, and modifier state is the bottom half's. The lab tests
// (lab/03-bottom-halves/tests/host) run them on this tree's halves; the grader's self-tests on
// purpose-made wrong halves, expecting exactly these messages.
#include "kbd_rig.h"

namespace labtest {

// Keys through IRQ 1: the top half must not sleep (it runs with interrupts off).
void check_top_half_does_not_sleep(ps2kbd::KeyboardHalves const& halves);
// Caps Lock: the tasklet must not sleep (the LED command waits for an ACK: a work item's job);
// the work item then sets the LED.
void check_tasklet_does_not_sleep(ps2kbd::KeyboardHalves const& halves);
// a, Shift-a, q: each press types once, each release nothing.
void check_break_codes_are_releases(ps2kbd::KeyboardHalves const& halves);
// Shift, a, Shift up, a arrive before the tasklet runs: "Aa", because the bottom half sees the
// codes in order.
void check_modifiers_in_bottom_half(ps2kbd::KeyboardHalves const& halves);

}
