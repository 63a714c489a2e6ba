#pragma once
// Helpers shared by the UART tests of labs 1 and 2 (and the driver's own tests in tests/kernel).
#include <drivers/uart16550.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kstd/types.h>

namespace uart_test {

// The grader's `generate = { bytes = N, seed = S }` sequence (lab/grader/README.md, "serial"):
// xorshift32 (13, 17, 5), one byte per step, seed 0 meaning 0x2545F491.
class Xorshift32 {
public:
    explicit Xorshift32(u32 seed) : m_state(seed ? seed : 0x2545F491u) {}
    u8 next()
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 17;
        m_state ^= m_state << 5;
        return u8(m_state & 0xFF);
    }

    // Fills `buffer` with the sequence, as the grader's `generate = { bytes, seed }` does.
    static void fill(u8* buffer, usize count, u32 seed)
    {
        Xorshift32 generator(seed);
        for (usize i = 0; i < count; ++i)
            buffer[i] = generator.next();
    }

private:
    u32 m_state;
};

// Tells the grader's serial peer that the guest is ready for input (its `after` regex).
inline void announce_ready(char const* test)
{
    diag_print("@@CONDUIT ready name=%s nonce=%s\n", test, ktest::nonce());
}

// ttyS0, bound and in `wanted` mode; otherwise a test failure that says what to look at.
inline ErrorOr<uart16550::Port*> com1_in_mode(uart16550::Mode wanted)
{
    uart16550::Port* port = uart16550::port(0);
    if (!port)
        return ktest::fail(__FILE__, __LINE__,
                           "ttyS0 is not bound to the uart16550 driver: its probe failed (the boot log says "
                           "why, e.g. 'uart16550: ttyS0: init at 115200 baud failed: ENOSYS' while hw_init() "
                           "is the lab 1 stub)");
    if (uart16550::mode(*port) != wanted)
        return ktest::fail(__FILE__, __LINE__,
                           "ttyS0 is in %s mode, this test needs %s mode (in irq mode, a failing irq_start() "
                           "leaves the port in poll mode: see the boot log)",
                           uart16550::mode_name(uart16550::mode(*port)), uart16550::mode_name(wanted));
    return port;
}

}
