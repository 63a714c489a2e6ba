#pragma once
// The flip buffer: received bytes on their way from a driver to its TTY (Linux's tty_buffer,
// reduced to one fixed ring). It is the hand-over point of the push model (docs/how-a-byte-
// travels.md):
//
//     device -> driver's top half -> FlipBuffer::insert ... TtyPort::push()
//            -> the TTY's bottom half: FlipBuffer::take -> line discipline -> readers
//
// One producer (the driver's top half, or its tasklet) and one consumer (the TTY's bottom half),
// so no lock is needed between them (kstd::RingBuffer). A byte that does not fit is not stored
// and is counted in overflow(): nothing is lost silently. A driver that can stop its device
// (the UART masks its receive interrupt, leaving bytes in the FIFO) checks room() first and
// stops instead of overflowing.
//
// Portable: no kernel services, so driver code that fills it compiles in the host tests.
#include <kstd/ring_buffer.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace tty {

class FlipBuffer {
public:
    static constexpr usize CAPACITY = 512;

    // --- producer (the driver) ------------------------------------------------------------
    // Stores one byte; false, and the byte counted as overflow, when the buffer is full.
    bool insert(u8 byte)
    {
        if (m_bytes.push(byte))
            return true;
        __atomic_add_fetch(&m_overflow, 1, __ATOMIC_RELAXED);
        return false;
    }
    // Stores as many of `bytes` as fit and counts the rest as overflow; returns how many fit.
    usize insert(kstd::Span<u8 const> bytes)
    {
        usize const stored = m_bytes.push_some(bytes);
        if (stored < bytes.size())
            __atomic_add_fetch(&m_overflow, bytes.size() - stored, __ATOMIC_RELAXED);
        return stored;
    }
    usize room() const { return CAPACITY - m_bytes.size(); }

    // --- consumer (the TTY's bottom half) -------------------------------------------------
    bool take(u8& byte) { return m_bytes.pop(byte); }
    Optional<u8> peek() const { return m_bytes.peek(); }
    void clear() { m_bytes.clear(); }

    // --- either side --------------------------------------------------------------------------
    usize size() const { return m_bytes.size(); }
    bool is_empty() const { return m_bytes.is_empty(); }
    // Bytes that did not fit, since the buffer was made. Context: any.
    u64 overflow() const { return __atomic_load_n(&m_overflow, __ATOMIC_RELAXED); }

private:
    kstd::RingBuffer<u8, CAPACITY> m_bytes;
    u64 m_overflow { 0 };
};

}
