// Lab 3 on the host: your keyboard top half and tasklet (drivers/char/ps2kbd/top_half.cpp,
// bottom_half.cpp) against a register-level model of the 8042 and a PS/2 keyboard
// (tests/unit/models/i8042.h): a half that sleeps is caught where the kernel would panic, and a
// burst of scan codes can arrive before the tasklet runs. The checks are in
// tests/unit/labs/kbd_checks.cpp. Run them with `make unit-tests UNIT_ARGS='[lab3]'`.
#include <labs/kbd_checks.h>

using namespace labtest;

TEST_CASE("lab 3: the keyboard's top half does not sleep", "[.lab3][kbd_host_top_half]")
{
    check_top_half_does_not_sleep(ps2kbd::lab_halves);
}

TEST_CASE("lab 3: the keyboard's tasklet does not sleep; the LED is set by the work item", "[.lab3][kbd_host_tasklet]")
{
    check_tasklet_does_not_sleep(ps2kbd::lab_halves);
}

TEST_CASE("lab 3: releases (break codes) type nothing", "[.lab3][kbd_host_break_codes]")
{
    check_break_codes_are_releases(ps2kbd::lab_halves);
}

TEST_CASE("lab 3: Shift is tracked in the bottom half, in order with the keys", "[.lab3][kbd_host_modifiers]")
{
    check_modifiers_in_bottom_half(ps2kbd::lab_halves);
}
