#pragma once
// Lab 3 on the host: the PS/2 keyboard driver's halves (drivers/char/ps2kbd: top_half.cpp,
// bottom_half.cpp, keyboard.cpp) against the 8042 model (tests/unit/models/i8042.h). IRQ 1 is
// taken by the simulated CPU, which runs the driver's handler (keyboard_interrupt) and, on the way
// out of the interrupt, the pending tasklets, as the kernel's interrupt exit does. tty0 is a port
// whose flip buffer the rig reads: what the keyboard typed.
#include "../models/framework.h"
#include "../models/i8042.h"
#include "../../../drivers/char/ps2kbd/ps2kbd.h"
#include <string>
#include <vector>

namespace labtest {

// tty0 as the keyboard sees it: a port that takes output and keeps what it was given.
class Tty0Port final : public tty::TtyPort {
public:
    usize write(kstd::Span<u8 const> bytes) override { return bytes.size(); }
};

class KbdRig : public models::ModelFixture {
public:
    // `halves` is the lab's (ps2kbd::lab_halves) or a grader self-test's wrong pair.
    explicit KbdRig(ps2kbd::KeyboardHalves const& halves = ps2kbd::lab_halves);
    ~KbdRig();
    KbdRig(KbdRig const&) = delete;
    KbdRig& operator=(KbdRig const&) = delete;

    // The keyboard sends these set-1 codes; the models' time runs until the controller has
    // delivered them all (or `limit_ns` passed). Interrupts and tasklets run meanwhile.
    void press(std::vector<u8> const& codes, u64 limit_ns = 100'000'000);
    // The characters tty0's flip buffer received since the last call.
    std::string typed();

    models::InterruptLine irq1 { "IRQ 1", models::Trigger::Edge };
    models::I8042 controller { irq1 };
    Tty0Port tty0;
    ps2kbd::Keyboard kbd;
};

// "'a' 'A' 0x0d", for messages.
std::string shown(std::string const& text);

}
