// The 8042 rig for lab 3 on the host (kbd_rig.h).
#include "kbd_rig.h"
#include <cstdio>

namespace labtest {

KbdRig::KbdRig(ps2kbd::KeyboardHalves const& halves) : kbd(tty0, halves)
{
    controller.attach();
    kbd.m_data = io::PortWindow(0x60, 1);
    kbd.m_command = io::PortWindow(0x64, 1);
    auto initialised = kbd.init_controller();
    VERIFY(!initialised.is_error());
    irq1.connect([this] { (void)ps2kbd::keyboard_interrupt(&kbd); });
}

KbdRig::~KbdRig() { irq1.disconnect(); }

void KbdRig::press(std::vector<u8> const& codes, u64 limit_ns)
{
    controller.press(codes);
    u64 const deadline = models::clock().now() + limit_ns;
    while ((controller.queued() > 0 || controller.output_full()) && models::clock().now() < deadline) {
        if (!models::clock().sleep_until_event(deadline))
            break;
    }
}

std::string KbdRig::typed()
{
    std::string out;
    u8 byte;
    while (tty0.flip().take(byte))
        out += char(byte);
    return out;
}

std::string shown(std::string const& text)
{
    std::string out = "\"";
    for (char c : text) {
        if (c >= ' ' && c < 0x7F) {
            out += c;
        } else {
            char hex[8];
            std::snprintf(hex, sizeof(hex), "\\x%02x", u8(c));
            out += hex;
        }
    }
    return out + "\"";
}

}
