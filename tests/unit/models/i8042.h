#pragma once
// A register-level model of the PC's 8042 keyboard controller with a PS/2 keyboard behind it
// (host unit tests). Facts from IBM's PS/2 Technical Reference (Keyboard/Auxiliary Device
// Controller: status register, command byte, commands 20h/60h/ADh/AEh/AAh/D2h) and the PS/2
// keyboard's command set (EDh Set LEDs, F4h, F5h, FFh, EEh, each answered with ACK FAh).
//
// The keyboard's bytes go through the controller's one-byte output buffer: when it is empty and
// the keyboard interface is enabled, the next byte is loaded, the status register's OBF bit is
// set, and with the command byte's interrupt bit set IRQ 1 goes high; reading the data port
// takes the byte, clears OBF and drops IRQ 1. The next byte follows `byte_gap_ns` later (the
// PS/2 clock needs about 1 ms a byte; 0 loads it during the read, so a burst of codes arrives
// before any tasklet can run). The controller answers its own commands through the same buffer.
// Scan codes are set 1 (the controller's translation is on, as GRUB leaves it).
//
// Recorded as violations: a data-port read with OBF clear (a stale byte, not a scan code), a
// write while the input buffer is full.
#include "interrupt_line.h"
#include "port_bus.h"
#include <kstd/types.h>
#include <deque>
#include <string>
#include <vector>

namespace models {

namespace i8042_bits {
inline constexpr u8 OBF = 0x01, IBF = 0x02, SYS = 0x04, COMMAND = 0x08, UNLOCKED = 0x10, AUX_OBF = 0x20;
inline constexpr u8 CONFIG_KBD_INT = 0x01, CONFIG_SYS = 0x04, CONFIG_KBD_CLOCK_OFF = 0x10, CONFIG_AUX_CLOCK_OFF = 0x20,
                    CONFIG_TRANSLATE = 0x40;
inline constexpr u8 ACK = 0xFA, RESEND = 0xFE, SELF_TEST_PASSED = 0xAA;
}

class I8042 final : public PortDevice {
public:
    explicit I8042(InterruptLine& irq1);
    ~I8042() override;
    I8042(I8042 const&) = delete;
    I8042& operator=(I8042 const&) = delete;

    // Claims 0x60 and 0x64.
    void attach();

    // --- the keyboard (what the test does) -----------------------------------------------
    // Scan codes (set 1, make and break) the keyboard sends, in order.
    void press(std::vector<u8> const& codes);
    u8 leds() const { return m_leds; }              // bit 0 Scroll, 1 Num, 2 Caps Lock
    u64 led_commands() const { return m_led_commands; }
    std::vector<u8> const& bytes_to_keyboard() const { return m_to_keyboard; }
    u64 byte_gap_ns { 0 };

    // --- what the test inspects ----------------------------------------------------------
    u8 config { i8042_bits::CONFIG_KBD_INT | i8042_bits::CONFIG_SYS | i8042_bits::CONFIG_AUX_CLOCK_OFF
                | i8042_bits::CONFIG_TRANSLATE };
    bool output_full() const { return m_output_full; }
    unsigned queued() const { return unsigned(m_queue.size()); }
    struct Counters {
        u64 status_reads { 0 };
        u64 data_reads { 0 };
        u64 data_reads_empty { 0 };
        u64 bytes_delivered { 0 };   // bytes loaded into the output buffer
    } counters;
    std::vector<std::string> violations;
    std::string violations_text() const;

    u32 port_read(u16 port, u8 width) override;
    void port_write(u16 port, u8 width, u32 value) override;

private:
    void controller_command(u8 command);
    void data_write(u8 value);
    void keyboard_command(u8 value);
    void reply(u8 byte) { m_queue.push_back(byte); load_output(); }
    void load_output();
    void schedule_load();
    void update_irq();

    InterruptLine& m_irq1;
    std::deque<u8> m_queue;        // the keyboard's bytes waiting for the output buffer
    u8 m_output { 0 };
    bool m_output_full { false };
    u8 m_pending_command { 0 };    // a controller command waiting for its data byte
    u8 m_keyboard_pending { 0 };   // a keyboard command waiting for its argument (EDh, F0h)
    bool m_last_was_command { false };
    u8 m_leds { 0 };
    u64 m_led_commands { 0 };
    u64 m_load_event { 0 };
    bool m_attached { false };
    std::vector<u8> m_to_keyboard;
};

}
