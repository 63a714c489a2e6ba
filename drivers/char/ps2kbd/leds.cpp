// Lab 3, part 4: the Caps Lock LED, from a work item (see lab/03-bottom-halves/README.md, and
// ps2kbd.cpp for why this cannot be done in the tasklet).
#include "ps2kbd.h"
#include <kstd/enforce.h>

namespace ps2kbd {

// Makes the keyboard's LEDs show m_caps_lock: send keyboard::Command::SetLeds (0xED), then the
// LED byte (keyboard::Led::CapsLock when Caps Lock is on, else 0). The keyboard answers each of
// the two bytes: ACK (keyboard::ACK) when it took the byte, RESEND (keyboard::RESEND) when you
// should send that same byte again (try at most 3 times). send_byte() writes a byte and sleeps
// until the answer has come back through the top and bottom halves.
// Errors: whatever send_byte() returns; EIO when a byte is never ACKed.
// Context: work item (the system workqueue's thread): it may sleep.
ErrorOr<void> Keyboard::update_leds()
{
    // BEGIN LAB 3
    keyboard::Led const leds = m_caps_lock ? keyboard::Led::CapsLock : keyboard::Led::None;
    u8 const bytes[] = { u8(keyboard::Command::SetLeds), u8(leds) };
    for (u8 byte : bytes) {
        u8 reply = TRY(send_byte(byte));
        for (int attempt = 1; reply == keyboard::RESEND && attempt < 3; ++attempt)
            reply = TRY(send_byte(byte));
        if (reply != keyboard::ACK)
            return Error::from_errno(EIO);
    }
    return {};
    // END LAB 3
    // STUB LAB 3: return Error::from_errno(ENOSYS);
}

}
