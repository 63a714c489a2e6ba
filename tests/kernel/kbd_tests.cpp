// The PS/2 keyboard driver's set-up (drivers/char/ps2kbd): bound to i8042.0, its ports and IRQ
// taken through the I/O manager and the IRQ core, the controller left with translation and the
// keyboard interrupt on. What the halves do is lab 3's (lab/03-bottom-halves/tests).
#include <drivers/ps2kbd.h>
#include <kernel/tty/console.h>
#include <kernel/bus/platform.h>
#include <kernel/dev/devfs.h>
#include <kernel/io/io.h>
#include <kernel/irq/irq.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

bool port_owned_by(u16 port, char const* owner)
{
    io::ResourceInfo ports[32];
    usize const count = io::list_ports(ports);
    for (usize i = 0; i < count && i < 32; ++i) {
        if (ports[i].start <= port && port < ports[i].start + ports[i].length)
            return StringView(ports[i].owner) == StringView(owner);
    }
    return false;
}

}

KTEST(kbd_probe_bound, CORE_SUITE)
{
    platform::PlatformDevice* i8042 = platform::find("i8042", 0);
    EXPECT_MSG(i8042, "no i8042.0 platform device (the FADT says there is an 8042 on q35 and pc)");
    EXPECT_MSG(i8042->driver() && StringView(i8042->driver()->name) == StringView("ps2kbd"),
               "i8042.0 is not bound to ps2kbd");
    EXPECT(ps2kbd::is_present());
    EXPECT_MSG(port_owned_by(0x60, "ps2kbd") && port_owned_by(0x64, "ps2kbd"), "ports 0x60/0x64 not reserved by ps2kbd");
    EXPECT_ERROR(io::reserve_ports(0x60, 1, "second"), EBUSY);
    u8 const config = ps2kbd::controller_config();
    EXPECT_MSG((config & 0x41) == 0x41, "8042 command byte %#x: translation (bit 6) and IRQ 1 (bit 0) must be on", config);
    EXPECT_MSG(!(config & 0x10), "8042 command byte %#x: the keyboard clock is off", config);
    EXPECT_EQ(ps2kbd::irq_line(), i8042->irq_line("kbd-irq").value_or(~0u));
    EXPECT_MSG(irq::line_stats(ps2kbd::irq_line()).handlers >= 1, "no handler on the keyboard's IRQ line");
    EXPECT(tty::console_present());
    EXPECT_OK(devfs::lookup("/dev/tty0"));
    return {};
}
