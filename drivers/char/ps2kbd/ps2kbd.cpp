// PS/2 keyboard behind the 8042 controller: the platform driver (see ps2kbd.h for the split into
// halves, ps2kbd_regs.h for the registers and their sources).
//
// Hardware: the i8042 at ports 0x60 (data) and 0x64 (status/command), IRQ 1 (platform device
// i8042.0). The driver keeps the controller's set 2 -> set 1 translation on (GRUB leaves the
// command byte at 0x61 on QEMU), so the bottom half decodes scan code set 1.
//
// The Keyboard's own functions (the wrappers around the halves, controller access, emit, the
// replies to commands) are in keyboard.cpp, which also compiles for the host unit tests; this
// file is the platform driver: probe, remove, and the functions include/drivers/ps2kbd.h offers.
// Why the LEDs are set from a work item: keyboard.cpp.
//
// Limitations: no mouse (IRQ 12 and the second port are left alone); no keyboard reset or
// scan-code-set selection (what GRUB left is used); Num Lock and Scroll Lock are not modelled.
#include "ps2kbd.h"
#include <kernel/tty/console.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/unique_ptr.h>
#include <kstd/enforce.h>

namespace ps2kbd {

namespace {

constexpr u64 INJECT_TIMEOUT_NS = time::NS_PER_S;   // generous: a loaded host may stall the guest

Keyboard* g_keyboard = nullptr;   // set once probe succeeded; read by the tests' entry points

ErrorOr<void> probe(platform::PlatformDevice& device)
{
    if (g_keyboard)
        return Error::from_errno(ENODEV);
    auto line = device.irq_line("kbd-irq");
    if (!line.has_value())
        return Error::from_errno(ENODEV);
    auto kbd = TRY(kstd::make<Keyboard>(tty::console_port()));
    kbd->m_data_ports = TRY(device.reserve_ports("data"));
    kbd->m_command_ports = TRY(device.reserve_ports("cmd"));
    kbd->m_data = kbd->m_data_ports.window();
    kbd->m_command = kbd->m_command_ports.window();
    kbd->m_line = *line;
    TRY(kbd->init_controller());
    if (auto tty0 = tty::console_init(); tty0.is_error())
        log_warn("ps2kbd: no tty0: %s\n", tty0.error().name());
    Keyboard* keyboard = kbd.ptr();
    kbd->m_irq = TRY(device.request_irq("kbd-irq", keyboard_interrupt, keyboard));
    device.adopt_driver_state(kstd::move(kbd));
    g_keyboard = keyboard;
    log_info("ps2kbd: keyboard on %s, IRQ line %u, controller command byte %#x\n", device.name(), keyboard->m_line,
             keyboard->m_config);
    return {};
}

void remove(platform::PlatformDevice& device)
{
    auto* kbd = device.driver_state_as<Keyboard>();
    kbd->m_irq.release();
    kbd->m_tasklet.kill();
    irq::system_workqueue().flush();   // the LED work item must not run on freed state
    g_keyboard = nullptr;
}

constexpr platform::PlatformDriver ps2kbd_driver { .name = "ps2kbd", .match = "i8042", .probe = probe,
                                                   .remove = remove };
KERNEL_PLATFORM_DRIVER(ps2kbd_driver)

}

bool is_present() { return g_keyboard != nullptr; }

Stats stats()
{
    InterruptsDisabled guard;
    return g_keyboard ? g_keyboard->m_stats : Stats {};
}

irq::IrqLine irq_line() { return g_keyboard ? g_keyboard->m_line : 0; }
u8 controller_config() { return g_keyboard ? g_keyboard->m_config : 0; }
bool caps_lock() { return g_keyboard && g_keyboard->m_caps_lock; }

ErrorOr<void> inject_for_test(ReadonlyBytes codes)
{
    Keyboard* kbd = g_keyboard;
    if (!kbd)
        return Error::from_errno(ENODEV);
    sched::MutexGuard guard(kbd->m_controller_lock);
    for (u8 code : codes) {
        TRY(kbd->wait_output_empty(INJECT_TIMEOUT_NS));
        TRY(kbd->write_command(i8042::Command::WriteKeyboardOutput));
        TRY(kbd->write_data(code));
    }
    return kbd->wait_output_empty(INJECT_TIMEOUT_NS);
}

}
