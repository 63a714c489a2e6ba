#pragma once
// printf-style formatting into caller-provided buffers: no allocation, no floating point, safe
// in any context (IRQ included) as long as the buffer is.
//
// Conversions: %d %i %u %x %X %o %p %s %c %%; length modifiers hh h l ll z j t; flags
// - 0 + space #; width and precision, including `*`. Differences from C:
//   * %p prints "0x" and 16 hex digits (addresses line up in dumps); nullptr is 0x0000000000000000.
//   * %s of nullptr prints "(null)".
//   * Unsupported conversions (%f, %e, %g, %a, %n, ...) are copied to the output as written and
//     consume no argument, so "%f" prints "%f". The kernel cannot pass floating point anyway.
#include <stdarg.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace kstd {

// C semantics: writes at most capacity-1 characters and a NUL (when capacity > 0), and returns
// the length the complete output would have had. Output was truncated iff result >= capacity.
// Context: any. Locking: none (touches only its arguments).
usize vsnprintf(char* buffer, usize capacity, char const* format, va_list args);
__attribute__((format(printf, 3, 4)))
usize snprintf(char* buffer, usize capacity, char const* format, ...);

// Appends formatted text to a caller-owned buffer, remembering whether anything was cut off.
// The text is NUL-terminated at all times. Context: any.
class StringBuilder {
public:
    StringBuilder(char* buffer, usize capacity);
    StringBuilder(StringBuilder const&) = delete;
    StringBuilder& operator=(StringBuilder const&) = delete;

    __attribute__((format(printf, 2, 3)))
    void append(char const* format, ...);
    void vappend(char const* format, va_list args);
    void append_string(StringView text);
    void append_char(char c);

    char const* c_str() const { return m_buffer; }
    StringView view() const { return { m_buffer, m_length }; }
    usize length() const { return m_length; }
    usize capacity() const { return m_capacity; }
    bool is_truncated() const { return m_truncated; }
    void clear();

private:
    char* m_buffer;
    usize m_capacity;
    usize m_length { 0 };
    bool m_truncated { false };
};

namespace detail {
// Base-from-member: the storage must exist before StringBuilder is handed a pointer to it.
template<usize N>
struct FormatStorage {
    char m_storage[N];
};
}

// A StringBuilder with its own N bytes (N-1 characters and the NUL), e.g. on the stack:
//     FormatBuffer<64> line;
//     line.append("irq %u: %s", irq, name);
//     console_write(line.view());
template<usize N>
class FormatBuffer
    : private detail::FormatStorage<N>
    , public StringBuilder {
    static_assert(N > 0, "FormatBuffer needs room for the NUL");

public:
    FormatBuffer() : StringBuilder(this->m_storage, N) {}
};

// One `hexdump -C` style line for up to 16 bytes starting at `address` (extra bytes ignored):
//   ffffffff80001000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 00 00 ff  |Hello, world....|
// Returns the length as vsnprintf does; hex_line_capacity always suffices.
inline constexpr usize hex_line_bytes = 16;
inline constexpr usize hex_line_capacity = 96;
usize format_hex_line(char* out, usize capacity, u64 address, ReadonlyBytes bytes);

// Formats `bytes` as hex lines and hands each to `emit(StringView)`, e.g. a log function.
template<typename Emit>
void hexdump(ReadonlyBytes bytes, u64 address, Emit&& emit)
{
    char line[hex_line_capacity];
    for (usize offset = 0; offset < bytes.size(); offset += hex_line_bytes) {
        usize length = format_hex_line(line, sizeof(line), address + offset,
            slice(bytes, offset, hex_line_bytes));
        emit(StringView(line, length));
    }
}

}
