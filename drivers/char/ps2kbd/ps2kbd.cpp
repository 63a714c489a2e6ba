// PS/2 keyboard behind the 8042 controller: probe, controller set-up and the pieces around the
// halves (see ps2kbd.h for the split, ps2kbd_regs.h for the registers and their sources).
//
// Hardware: the i8042 at ports 0x60 (data) and 0x64 (status/command), IRQ 1 (platform device
// i8042.0). The driver keeps the controller's set 2 -> set 1 translation on (GRUB leaves the
// command byte at 0x61 on QEMU), so the bottom half decodes scan code set 1.
//
// Why the LEDs are set from a work item (leds.cpp), not from the tasklet: the keyboard answers
// each command byte with ACK (0xFA), and that answer arrives like a key, through the output
// buffer, IRQ 1, the top half and the scan-code ring. The tasklet is the code that reads that
// ring, so a tasklet waiting for the ACK would wait for itself (a tasklet never runs twice at
// once); it could only poll the controller behind the top half's back, with a busy wait of a
// millisecond or more with interrupts of its kind held up. A work item runs in a thread: it
// sleeps on a semaphore that the tasklet raises when it sees the ACK, and nothing else waits.
//
// Limitations: no mouse (IRQ 12 and the second port are left alone); no keyboard reset or
// scan-code-set selection (what GRUB left is used); Num Lock and Scroll Lock are not modelled.
#include "ps2kbd.h"
#include <arch/platform.h>
#include <kernel/sched/sync.h>
#include <kernel/tty/console.h>
#include <kernel/irq_flags.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>
#include <kstd/enforce.h>

namespace ps2kbd {

namespace {

using i8042::Status;

constexpr u64 CONTROLLER_TIMEOUT_NS = 20 * time::NS_PER_MS;   // QEMU answers at once
constexpr u64 INJECT_TIMEOUT_NS = time::NS_PER_S;   // generous: a loaded host may stall the guest

Keyboard* g_keyboard = nullptr;   // set once probe succeeded; read by the tests' entry points

// IRQ 1. Around the lab's top half: counts what it did, for the tests.
irq::IrqReturn keyboard_interrupt(void* ctx)
{
    auto& kbd = *static_cast<Keyboard*>(ctx);
    ++kbd.m_stats.interrupts;
    usize const queued_before = kbd.m_scancodes.size();
    bool const was_scheduled = kbd.m_tasklet.is_scheduled();
    u64 const runs_before = kbd.m_tasklet.run_count();
    kbd.m_popped_inside_top_half = 0;
    kbd.m_in_top_half = true;
    irq::IrqReturn const result = kbd.top_half();
    kbd.m_in_top_half = false;
    usize const queued_after = kbd.m_scancodes.size() + kbd.m_popped_inside_top_half;
    if (result == irq::IrqReturn::Handled)
        ++kbd.m_stats.claimed;
    if (queued_after > queued_before)
        kbd.m_stats.scancodes_queued += queued_after - queued_before;
    // Scheduled: pending now, or (lab 3's stub Tasklet::schedule runs it on the spot) it ran.
    if ((!was_scheduled && kbd.m_tasklet.is_scheduled()) || kbd.m_tasklet.run_count() != runs_before)
        ++kbd.m_stats.tasklet_scheduled;
    return result;
}

// The tasklet. Around the lab's bottom half: notes the context it runs in.
void keyboard_tasklet(void* ctx)
{
    auto& kbd = *static_cast<Keyboard*>(ctx);
    ++kbd.m_stats.bottom_half_runs;
    if (irq::in_irq() || kbd.m_in_top_half)
        ++kbd.m_stats.bottom_half_in_top_half;
    else if (irq::in_softirq())
        ++kbd.m_stats.bottom_half_in_softirq;
    if (arch::interrupts_are_enabled())
        ++kbd.m_stats.bottom_half_interrupts_on;
    usize const queued = kbd.m_scancodes.size();
    kbd.bottom_half();
    if (kbd.m_in_top_half)   // (no top half can push meanwhile: interrupts are off)
        kbd.m_popped_inside_top_half += queued - kbd.m_scancodes.size();
}

// The work item (system workqueue thread).
void led_work(void* ctx)
{
    auto& kbd = *static_cast<Keyboard*>(ctx);
    if (auto result = kbd.update_leds(); result.is_error()) {
        ++kbd.m_stats.led_failures;
        log_warn("ps2kbd: setting the LEDs failed: %s\n", result.error().name());
    }
}

Status read_status(Keyboard const& kbd) { return kbd.m_command.read(i8042::regs::status); }

// Busy-waits (bounded) for a status condition. Used at probe, before interrupts, and for the
// controller's input buffer, which QEMU and real controllers empty within microseconds.
bool wait_status(Keyboard const& kbd, Status bit, bool set, u64 timeout_ns)
{
    u64 const deadline = sched::deadline_after(timeout_ns);
    while (has(read_status(kbd), bit) != set) {
        if (time::now_ns() > deadline)
            return false;
        arch::cpu_relax();
    }
    return true;
}

}

Keyboard::Keyboard()
    : m_tasklet(keyboard_tasklet, this, "ps2kbd")
    , m_led_work(led_work, this)
    , m_tty0(tty::console_port())
{
}

Keyboard::~Keyboard()
{
    m_irq.release();
    m_tasklet.kill();
}

ErrorOr<void> Keyboard::write_command(i8042::Command command)
{
    if (!wait_status(*this, Status::InputFull, false, CONTROLLER_TIMEOUT_NS))
        return Error::from_errno(EIO);
    m_command.write(i8042::regs::command, command);
    return {};
}

ErrorOr<void> Keyboard::write_data(u8 byte)
{
    if (!wait_status(*this, Status::InputFull, false, CONTROLLER_TIMEOUT_NS))
        return Error::from_errno(EIO);
    m_data.write(i8042::regs::data, byte);
    return {};
}

// With interrupts on, the top half empties the output buffer; this only watches (sleeping
// between looks, since a broken top half would leave it full for ever).
ErrorOr<void> Keyboard::wait_output_empty(u64 timeout_ns)
{
    u64 const deadline = sched::deadline_after(timeout_ns);
    while (has(read_status(*this), Status::OutputFull)) {
        if (time::now_ns() > deadline)
            return Error::from_errno(ETIMEDOUT);
        sched::sleep_for(time::NS_PER_MS);
    }
    return {};
}

// Before IRQ 1 is requested: empty the output buffer (a key pressed during boot would
// otherwise be the first "scan code"), then make sure the command byte has the keyboard's
// interrupt, its clock and translation on.
ErrorOr<void> Keyboard::init_controller()
{
    for (int i = 0; i < 16 && has(read_status(*this), Status::OutputFull); ++i)
        (void)m_data.read(i8042::regs::data);
    TRY(write_command(i8042::Command::ReadConfig));
    if (!wait_status(*this, Status::OutputFull, true, CONTROLLER_TIMEOUT_NS))
        return Error::from_errno(ENODEV);   // no controller answers
    auto config = i8042::Config(m_data.read(i8042::regs::data));
    auto wanted = (config | i8042::Config::KeyboardInterrupt | i8042::Config::Translate)
        & ~i8042::Config::KeyboardClockOff;
    if (wanted != config) {
        TRY(write_command(i8042::Command::WriteConfig));
        TRY(write_data(u8(wanted)));
    }
    m_config = u8(wanted);
    return {};
}

void Keyboard::emit(u8 character)
{
    ++m_stats.characters;
    if (irq::in_irq())
        ++m_stats.characters_in_irq;
    else if (irq::in_softirq())
        ++m_stats.characters_in_softirq;
    else
        ++m_stats.characters_in_thread;
    if (m_batch_length == BATCH_CAPACITY)
        deliver();   // a long burst: hand over what we have
    if (m_batch_length < BATCH_CAPACITY)   // (a deliver() that keeps its batch loses a character, not memory)
        m_batch[m_batch_length++] = character;
}

void Keyboard::emit(char const* text)
{
    for (; *text; ++text)
        emit(u8(*text));
}

bool Keyboard::take_reply(u8 code)
{
    if (code == keyboard::ERROR || code == keyboard::ERROR_ZERO)
        return true;   // the keyboard lost a key: nothing to translate
    if (code != keyboard::ACK && code != keyboard::RESEND && code != keyboard::ECHO)
        return false;
    ++m_stats.replies;
    if (m_awaiting_reply) {
        m_reply = code;
        m_awaiting_reply = false;
        m_reply_ready.up();
    }
    return true;
}

void Keyboard::request_led_update() { irq::system_workqueue().queue(m_led_work); }

ErrorOr<u8> Keyboard::send_byte(u8 byte)
{
    sched::MutexGuard guard(m_controller_lock);
    while (m_reply_ready.try_down()) {   // a late reply to an earlier byte
    }
    m_awaiting_reply = true;
    if (auto written = write_data(byte); written.is_error()) {
        m_awaiting_reply = false;
        return written.release_error();
    }
    ++m_stats.bytes_sent;
    auto waited = m_reply_ready.down_timeout(REPLY_TIMEOUT_NS);
    m_awaiting_reply = false;
    if (waited.is_error()) {
        ++m_stats.reply_timeouts;
        m_previous_sent = 0;
        return Error::from_errno(ETIMEDOUT);
    }
    u8 const reply = m_reply;
    if (reply == keyboard::ACK) {
        if (m_previous_sent == u8(keyboard::Command::SetLeds)) {   // the LED byte was accepted
            m_stats.leds = byte;
            ++m_stats.led_updates;
        }
        m_previous_sent = byte;
    }
    return reply;
}

namespace {

ErrorOr<void> probe(platform::PlatformDevice& device)
{
    if (g_keyboard)
        return Error::from_errno(ENODEV);
    auto line = device.irq_line("kbd-irq");
    if (!line.has_value())
        return Error::from_errno(ENODEV);
    auto kbd = TRY(kstd::make<Keyboard>());
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
