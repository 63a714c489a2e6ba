#pragma once
// RingBuffer<T, N>: a fixed-capacity FIFO for exactly one producer and one consumer, e.g. a
// UART or keyboard interrupt handler (producer) and the thread that reads the device
// (consumer). No allocation, no locks.
//
// How it stays consistent without a lock:
//   * m_head counts items ever pushed and is written only by the producer; m_tail counts items
//     ever popped and is written only by the consumer. Both run freely and wrap at 2^64, and
//     since N is a power of two, `head - tail` is the fill level and `index & (N - 1)` the slot.
//   * The producer fills the slot *before* publishing it with a release store of m_head; the
//     consumer reads m_head with an acquire load before touching the slot (and symmetrically
//     for m_tail). So neither the compiler nor the CPU can make the index visible before the
//     data. On x86 these are plain `mov`s that the compiler may not reorder, i.e. the same
//     code as volatile + a compiler barrier, and they stay correct on SMP.
//
// Contexts: push/push_some from the producer only (IRQ context is fine); pop/pop_some/peek/
// clear from the consumer only; size/is_empty/is_full from either (a snapshot).
// Locking: none needed for one producer and one consumer. The consumer still masks interrupts
// (or holds the IRQ-safe spinlock of the device) around "check empty, then sleep" so it cannot
// miss the wake-up of an item pushed in between; that race is the wait queue's, not the ring's.
// Two producers or two consumers need a lock around their side.
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/types.h>
#include <kstd/utility.h>

namespace kstd {

template<typename T, usize N>
class RingBuffer {
    static_assert(is_power_of_two(N), "RingBuffer capacity must be a power of two");

public:
    static constexpr usize capacity() { return N; }

    // Producer. Returns false (and drops nothing already queued) when the ring is full.
    bool push(T const& value)
    {
        usize head = m_head;
        if (head - load_acquire(m_tail) == N)
            return false;
        m_slots[head & mask] = value;
        store_release(m_head, head + 1);
        return true;
    }

    // Producer. Queues as many of `values` as fit, in order, and returns how many.
    usize push_some(Span<T const> values)
    {
        usize head = m_head;
        usize count = min(values.size(), N - (head - load_acquire(m_tail)));
        for (usize i = 0; i < count; ++i)
            m_slots[(head + i) & mask] = values[i];
        store_release(m_head, head + count);
        return count;
    }

    // Consumer. Moves the oldest item into `out`; false when empty.
    bool pop(T& out)
    {
        usize tail = m_tail;
        if (load_acquire(m_head) == tail)
            return false;
        out = kstd::move(m_slots[tail & mask]);
        store_release(m_tail, tail + 1);
        return true;
    }

    // Consumer. The oldest item, or nothing when empty.
    Optional<T> pop()
    {
        T value;
        if (!pop(value))
            return nullopt;
        return value;
    }

    // Consumer. Moves up to out.size() items into `out` and returns how many.
    usize pop_some(Span<T> out)
    {
        usize tail = m_tail;
        usize count = min(out.size(), load_acquire(m_head) - tail);
        for (usize i = 0; i < count; ++i)
            out[i] = kstd::move(m_slots[(tail + i) & mask]);
        store_release(m_tail, tail + count);
        return count;
    }

    // Consumer. A copy of the oldest item without removing it.
    Optional<T> peek() const
    {
        usize tail = m_tail;
        if (load_acquire(m_head) == tail)
            return nullopt;
        return m_slots[tail & mask];
    }

    // Consumer. Discards everything queued so far (the producer may keep pushing).
    void clear() { store_release(m_tail, load_acquire(m_head)); }

    // Either side. Reading tail first keeps the difference within [0, N]: head only grows.
    usize size() const
    {
        usize tail = load_acquire(m_tail);
        return load_acquire(m_head) - tail;
    }
    bool is_empty() const { return size() == 0; }
    bool is_full() const { return size() == N; }

private:
    static constexpr usize mask = N - 1;

    static usize load_acquire(usize const& index)
    {
        return __atomic_load_n(&index, __ATOMIC_ACQUIRE);
    }
    static void store_release(usize& index, usize value)
    {
        __atomic_store_n(&index, value, __ATOMIC_RELEASE);
    }

    T m_slots[N] {};
    usize m_head { 0 }; // items ever pushed; written by the producer only
    usize m_tail { 0 }; // items ever popped; written by the consumer only
};

}

using kstd::RingBuffer;
