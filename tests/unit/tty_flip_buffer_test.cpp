// The TTY's flip buffer (include/kernel/tty/flip_buffer.h): what does not fit is counted, never
// silently lost; bytes come out in order.
#include "support.h"
#include <kernel/tty/flip_buffer.h>
#include <vector>

using tty::FlipBuffer;

TEST_CASE("the flip buffer counts what does not fit", "[tty][flip]")
{
    static FlipBuffer flip;
    std::vector<u8> bytes(FlipBuffer::CAPACITY + 7, 'z');
    CHECK(flip.insert(Span<u8 const>(bytes.data(), bytes.size())) == FlipBuffer::CAPACITY);
    CHECK(flip.overflow() == 7);
    CHECK(flip.room() == 0);
    CHECK_FALSE(flip.insert(u8('!')));
    CHECK(flip.overflow() == 8);
    u8 byte;
    usize taken = 0;
    while (flip.take(byte))
        ++taken;
    CHECK(taken == FlipBuffer::CAPACITY);
    CHECK(flip.is_empty());
    CHECK(flip.overflow() == 8);   // the count stays: it is what poll() reports as Error
}

TEST_CASE("the flip buffer keeps the order", "[tty][flip]")
{
    static FlipBuffer flip;
    for (u8 i = 0; i < 200; ++i)
        REQUIRE(flip.insert(i));
    CHECK(*flip.peek() == 0);
    u8 byte;
    for (u8 i = 0; i < 200; ++i) {
        REQUIRE(flip.take(byte));
        CHECK(byte == i);
    }
}
