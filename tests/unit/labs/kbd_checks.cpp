// The keyboard checks of lab 3 (kbd_checks.h).
#include "kbd_checks.h"

namespace labtest {

using models::AtomicSleep;

void check_top_half_does_not_sleep(ps2kbd::KeyboardHalves const& halves)
{
    KbdRig rig(halves);
    try {
        rig.press({ 0x1E, 0x9E, 0x30, 0xB0 });
    } catch (AtomicSleep const& sleep) {
        FAIL("a top half that sleeps: " << sleep.what() << ". The top half runs with interrupts off on whatever "
             "thread was interrupted: it may not sleep, take a mutex or wait for the keyboard. Read the status "
             "and the scan code, queue it, schedule the tasklet, return");
    }
    std::string const typed = rig.typed();
    if (typed != "ab")
        FAIL("a and b pressed and released, tty0 got " << shown(typed));
}

void check_tasklet_does_not_sleep(ps2kbd::KeyboardHalves const& halves)
{
    KbdRig rig(halves);
    try {
        rig.press({ 0x3A, 0xBA, 0x1E, 0x9E });   // Caps Lock, then a
    } catch (AtomicSleep const& sleep) {
        FAIL("a tasklet that sleeps: " << sleep.what() << ". The tasklet runs in softirq context and may not "
             "sleep; the Caps Lock LED needs a command and a wait for the keyboard's ACK, which arrives through "
             "the same top half and tasklet: hand it to the work item (request_led_update())");
    }
    irq::system_workqueue().flush();   // the LED work item, in thread context
    std::string const typed = rig.typed();
    if (typed != "A")
        FAIL("Caps Lock, then a: tty0 got " << shown(typed) << ", expected \"A\"");
    if (rig.controller.leds() != 0x04)
        FAIL("after Caps Lock the keyboard's LEDs are " << int(rig.controller.leds())
             << ": the work item must send ED and then 0x04 (Caps Lock)");
}

void check_break_codes_are_releases(ps2kbd::KeyboardHalves const& halves)
{
    KbdRig rig(halves);
    rig.press({ 0x1E, 0x9E, 0x2A, 0x1E, 0x9E, 0xAA, 0x10, 0x90 });   // a, Shift-a, q
    std::string const typed = rig.typed();
    if (typed.size() > 3 && typed != "aAq")
        FAIL("break codes taken as make codes: a, Shift-a and q pressed and released, tty0 got " << shown(typed)
             << " instead of \"aAq\". A release is the key's make code with bit 7 set (9E for a, AA for left "
             "Shift): it types nothing, and for a modifier it means the key is up again");
    if (typed != "aAq")
        FAIL("a, Shift-a and q pressed and released, tty0 got " << shown(typed) << " instead of \"aAq\"");
}

void check_modifiers_in_bottom_half(ps2kbd::KeyboardHalves const& halves)
{
    KbdRig rig(halves);
    rig.controller.byte_gap_ns = 0;   // a burst: every code arrives before the tasklet runs
    rig.press({ 0x2A, 0x1E, 0x9E, 0xAA, 0x1E, 0x9E });   // Shift down, a, Shift up, a
    std::string const typed = rig.typed();
    if (typed == "aa" || typed == "AA")
        FAIL("modifier state kept in the top half: Shift, a, Shift released, a arrived before the tasklet ran, "
             "and tty0 got " << shown(typed) << " instead of \"Aa\": the Shift state was changed by the top half "
             "before the tasklet translated the first a. The top half only queues scan codes; Shift, Ctrl and Caps "
             "Lock are tracked in the bottom half, which sees every code in order");
    if (typed != "Aa")
        FAIL("Shift, a, Shift released, a (one burst) reached tty0 as " << shown(typed) << " instead of \"Aa\"");
}

}
