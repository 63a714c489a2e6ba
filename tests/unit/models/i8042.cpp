// The 8042 keyboard controller and PS/2 keyboard model (i8042.h).
#include <kstd/error.h>
#include "i8042.h"
#include "clock.h"

namespace models {

using namespace i8042_bits;

namespace {
constexpr u16 DATA_PORT = 0x60, STATUS_PORT = 0x64;
}

I8042::I8042(InterruptLine& irq1) : m_irq1(irq1) {}

I8042::~I8042()
{
    clock().cancel(m_load_event);
    if (m_attached)
        port_bus().detach(*this);
}

void I8042::attach()
{
    port_bus().attach(DATA_PORT, 1, *this, "i8042 data");
    port_bus().attach(STATUS_PORT, 1, *this, "i8042 status/command");
    m_attached = true;
}

std::string I8042::violations_text() const
{
    std::string out;
    for (auto const& v : violations)
        out += "  " + v + "\n";
    return out.empty() ? "  (none)\n" : out;
}

void I8042::press(std::vector<u8> const& codes)
{
    for (u8 code : codes)
        m_queue.push_back(code);
    load_output();
}

// The next byte enters the output buffer if it is free and the keyboard interface is on.
void I8042::load_output()
{
    if (m_output_full || m_queue.empty() || (config & CONFIG_KBD_CLOCK_OFF) || m_load_event)
        return;
    m_output = m_queue.front();
    m_queue.pop_front();
    m_output_full = true;
    ++counters.bytes_delivered;
    update_irq();
}

void I8042::schedule_load()
{
    if (byte_gap_ns == 0) {
        load_output();
        return;
    }
    if (m_load_event || m_queue.empty())
        return;
    m_load_event = clock().schedule_in(byte_gap_ns, [this] {
        m_load_event = 0;
        load_output();
    });
}

void I8042::update_irq() { m_irq1.set_level(m_output_full && (config & CONFIG_KBD_INT)); }

u32 I8042::port_read(u16 port, u8 width)
{
    VERIFY(width == 1);
    if (port == STATUS_PORT) {
        ++counters.status_reads;
        return u8((m_output_full ? OBF : 0) | SYS | UNLOCKED | (m_last_was_command ? COMMAND : 0));
    }
    ++counters.data_reads;
    if (!m_output_full) {
        ++counters.data_reads_empty;
        if (violations.size() < 16)
            violations.push_back("the data port (0x60) was read with the status register's OBF bit clear: the "
                                 "byte read is stale, not a new scan code; read the status register first");
        return m_output;
    }
    u8 const value = m_output;
    m_output_full = false;
    update_irq();
    schedule_load();
    return value;
}

void I8042::port_write(u16 port, u8 width, u32 value)
{
    VERIFY(width == 1);
    m_last_was_command = port == STATUS_PORT;
    if (port == STATUS_PORT)
        controller_command(u8(value));
    else
        data_write(u8(value));
}

void I8042::controller_command(u8 command)
{
    switch (command) {
    case 0x20: reply(config); break;                          // read the command byte
    case 0x60: case 0xD2: case 0xD1: case 0xD4:               // the next data byte is for the controller
        m_pending_command = command;
        break;
    case 0xAD: config |= CONFIG_KBD_CLOCK_OFF; break;         // disable the keyboard interface
    case 0xAE:                                                // enable it
        config = u8(config & ~CONFIG_KBD_CLOCK_OFF);
        load_output();
        break;
    case 0xA7: config |= CONFIG_AUX_CLOCK_OFF; break;
    case 0xA8: config = u8(config & ~CONFIG_AUX_CLOCK_OFF); break;
    case 0xAA: reply(0x55); break;                            // controller self-test passed
    case 0xAB: reply(0x00); break;                            // keyboard interface test passed
    default: break;
    }
}

void I8042::data_write(u8 value)
{
    u8 const command = m_pending_command;
    m_pending_command = 0;
    switch (command) {
    case 0x60:   // write the command byte
        config = value;
        update_irq();
        load_output();
        return;
    case 0xD2:   // "write keyboard output buffer": the byte comes back as if the keyboard sent it
        m_queue.push_front(value);
        load_output();
        return;
    case 0xD1: case 0xD4:   // output port, mouse: not modelled
        return;
    default:
        keyboard_command(value);
    }
}

// A byte for the keyboard itself; it answers each with ACK (and some with more).
void I8042::keyboard_command(u8 value)
{
    m_to_keyboard.push_back(value);
    u8 const pending = m_keyboard_pending;
    m_keyboard_pending = 0;
    if (pending == 0xED) {   // the argument of Set LEDs
        m_leds = value & 7;
        ++m_led_commands;
        reply(ACK);
        return;
    }
    if (pending == 0xF0) {   // the argument of Set Scan Code Set
        reply(ACK);
        return;
    }
    switch (value) {
    case 0xED: case 0xF0:
        m_keyboard_pending = value;
        reply(ACK);
        break;
    case 0xEE: reply(0xEE); break;   // echo
    case 0xFF:                       // reset: ACK, then the self-test result
        reply(ACK);
        reply(SELF_TEST_PASSED);
        break;
    default: reply(ACK); break;
    }
}

}
