// RingBuffer: FIFO order, full/empty edges, wrap-around of the free-running indices, bulk
// operations, and a two-thread single-producer/single-consumer stress run.
#include "support.h"
#include <kstd/ring_buffer.h>
#include <atomic>
#include <thread>
#include <vector>

TEST_CASE("push and pop in FIFO order", "[ring_buffer]")
{
    RingBuffer<int, 4> ring;
    CHECK(ring.capacity() == 4);
    CHECK(ring.is_empty());
    CHECK_FALSE(ring.is_full());
    CHECK_FALSE(ring.pop().has_value());
    CHECK_FALSE(ring.peek().has_value());

    CHECK(ring.push(1));
    CHECK(ring.push(2));
    CHECK(ring.size() == 2);
    CHECK(*ring.peek() == 1);
    CHECK(*ring.pop() == 1);
    int out = 0;
    CHECK(ring.pop(out));
    CHECK(out == 2);
    CHECK_FALSE(ring.pop(out));
    CHECK(ring.is_empty());
}

TEST_CASE("a full ring refuses pushes and keeps its contents", "[ring_buffer]")
{
    RingBuffer<u8, 4> ring;
    for (u8 i = 0; i < 4; ++i)
        CHECK(ring.push(i));
    CHECK(ring.is_full());
    CHECK_FALSE(ring.push(99));
    CHECK(ring.size() == 4);
    for (u8 i = 0; i < 4; ++i)
        CHECK(*ring.pop() == i);
}

TEST_CASE("indices keep working across many wrap-arounds", "[ring_buffer]")
{
    RingBuffer<u32, 8> ring;
    u32 next_in = 0;
    u32 next_out = 0;
    for (int round = 0; round < 1000; ++round) {
        int burst = 1 + round % 8;
        for (int i = 0; i < burst; ++i)
            REQUIRE(ring.push(next_in++));
        while (auto value = ring.pop())
            REQUIRE(*value == next_out++);
    }
    CHECK(next_in == next_out);
}

TEST_CASE("push_some and pop_some move what fits", "[ring_buffer]")
{
    RingBuffer<int, 8> ring;
    int const input[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
    CHECK(ring.push_some(Span<int const>(input, 5)) == 5);
    CHECK(ring.push_some(input) == 3);
    CHECK(ring.is_full());
    CHECK(ring.push_some(input) == 0);

    int output[6] = {};
    CHECK(ring.pop_some(output) == 6);
    CHECK(output[0] == 1);
    CHECK(output[4] == 5);
    CHECK(output[5] == 1);

    // Wraps around the end of the storage.
    CHECK(ring.push_some(Span<int const>(input + 3, 4)) == 4);
    CHECK(ring.size() == 6);
    int rest[10] = {};
    CHECK(ring.pop_some(rest) == 6);
    int const expected[] = { 2, 3, 4, 5, 6, 7 };
    for (int i = 0; i < 6; ++i)
        CHECK(rest[i] == expected[i]);
    CHECK(ring.pop_some(rest) == 0);
    CHECK(ring.push_some({}) == 0);
}

TEST_CASE("clear discards queued items", "[ring_buffer]")
{
    RingBuffer<char, 16> ring;
    ring.push('a');
    ring.push('b');
    ring.clear();
    CHECK(ring.is_empty());
    CHECK(ring.push('c'));
    CHECK(*ring.pop() == 'c');
}

TEST_CASE("one producer and one consumer thread lose nothing", "[ring_buffer][threads]")
{
    // Not the kernel's uniprocessor IRQ case, but a harsher one: if the acquire/release pairs
    // were wrong, the consumer would read stale slots on a real SMP machine.
    static RingBuffer<u64, 64> ring;
    constexpr u64 count = 200000;
    std::atomic<bool> mismatch { false };

    std::thread consumer([&] {
        u64 expected = 0;
        u64 batch[16];
        while (expected < count) {
            usize n = ring.pop_some(batch);
            for (usize i = 0; i < n; ++i) {
                if (batch[i] != expected++)
                    mismatch = true;
            }
        }
    });
    for (u64 value = 0; value < count;) {
        if (ring.push(value))
            ++value;
    }
    consumer.join();
    CHECK_FALSE(mismatch);
    CHECK(ring.is_empty());
}
