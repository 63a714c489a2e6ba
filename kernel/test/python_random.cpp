// Python's random.Random on the guest (include/kernel/test_disk.h): the data a disk plan writes
// is what the grader gets from random.Random(seed).randbytes(n), so it can check the image.
#include <kernel/test_disk.h>
#include <kstd/enforce.h>

namespace test_disk {

// MT19937 (Matsumoto and Nishimura, 1998) as CPython seeds it from an integer: init_by_array
// with the integer's 32-bit words (one here).

PythonRandom::PythonRandom(u32 seed)
{
    m_state[0] = 19650218u;
    for (usize i = 1; i < N; ++i)
        m_state[i] = 1812433253u * (m_state[i - 1] ^ (m_state[i - 1] >> 30)) + u32(i);
    usize i = 1;
    for (usize k = N; k; --k) {
        m_state[i] = (m_state[i] ^ ((m_state[i - 1] ^ (m_state[i - 1] >> 30)) * 1664525u)) + seed;
        if (++i >= N) {
            m_state[0] = m_state[N - 1];
            i = 1;
        }
    }
    for (usize k = N - 1; k; --k) {
        m_state[i] = (m_state[i] ^ ((m_state[i - 1] ^ (m_state[i - 1] >> 30)) * 1566083941u)) - u32(i);
        if (++i >= N) {
            m_state[0] = m_state[N - 1];
            i = 1;
        }
    }
    m_state[0] = 0x80000000u;
}

u32 PythonRandom::next_u32()
{
    constexpr usize M = 397;
    if (m_index >= N) {
        for (usize k = 0; k < N; ++k) {
            u32 y = (m_state[k] & 0x80000000u) | (m_state[(k + 1) % N] & 0x7FFFFFFFu);
            m_state[k] = m_state[(k + M) % N] ^ (y >> 1) ^ ((y & 1) ? 0x9908B0DFu : 0);
        }
        m_index = 0;
    }
    u32 y = m_state[m_index++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9D2C5680u;
    y ^= (y << 15) & 0xEFC60000u;
    y ^= y >> 18;
    return y;
}

void PythonRandom::fill(u8* buffer, usize count)
{
    for (usize i = 0; i + 4 <= count; i += 4) {
        u32 word = next_u32();
        buffer[i] = u8(word);
        buffer[i + 1] = u8(word >> 8);
        buffer[i + 2] = u8(word >> 16);
        buffer[i + 3] = u8(word >> 24);
    }
}

}
