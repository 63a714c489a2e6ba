// The PS/2 keyboard's state machine around the lab's halves (ps2kbd.h): the wrappers that
// count what ran where, the controller access (commands, data, waits), emit() and the replies to
// keyboard commands, and send_byte(), which the LED work item uses. Register level and kernel
// services only, no platform bus: this file, top_half.cpp, bottom_half.cpp, keymap.cpp and
// leds.cpp also compile for the host unit tests against an 8042 model (tests/unit/models/i8042.h).
//
// Why the LEDs are set from a work item (leds.cpp), not from the tasklet: the keyboard answers
// each command byte with ACK (0xFA), and that answer arrives like a key, through the output
// buffer, IRQ 1, the top half and the scan-code ring. The tasklet is the code that reads that
// ring, so a tasklet waiting for the ACK would wait for itself (a tasklet never runs twice at
// once); it could only poll the controller behind the top half's back, with a busy wait of a
// millisecond or more with interrupts of its kind held up. A work item runs in a thread: it
// sleeps on a semaphore that the tasklet raises when it sees the ACK, and nothing else waits.
#include "ps2kbd.h"
#include <arch/platform.h>
#include <kernel/irq_flags.h>
#include <kernel/sched/sync.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace ps2kbd {

namespace {

using i8042::Status;

constexpr u64 CONTROLLER_TIMEOUT_NS = 20 * time::NS_PER_MS;   // QEMU answers at once

}

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
    irq::IrqReturn const result = kbd.m_halves->top_half(kbd);
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

namespace {

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
    kbd.m_halves->bottom_half(kbd);
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

KeyboardHalves const lab_halves {
    .name = "lab",
    .top_half = [](Keyboard& kbd) { return kbd.top_half(); },
    .bottom_half = [](Keyboard& kbd) { kbd.bottom_half(); },
};

Keyboard::Keyboard(tty::TtyPort& tty0, KeyboardHalves const& halves)
    : m_tasklet(keyboard_tasklet, this, "ps2kbd")
    , m_led_work(led_work, this)
    , m_tty0(tty0)
    , m_halves(&halves)
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

}
