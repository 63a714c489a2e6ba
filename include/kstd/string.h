#pragma once
// C memory primitives, bounded C-string helpers, StringView (pointer + length, never owning)
// and number parsing. Context: any. Locking: none (everything works on its arguments only).
#include <kstd/error.h>
#include <kstd/optional.h>
#include <kstd/types.h>

// GCC expects a freestanding environment to provide memcpy, memmove, memset and memcmp: it
// emits calls to them for struct copies and for loops it recognizes. The kernel defines these
// (and strlen) in arch/x86_64/lib/mem.cpp; host tests use libc's. `noexcept` matches glibc's own
// declarations, so host code may include both this header and <string.h>.
extern "C" {
void* memcpy(void* dst, void const* src, usize count) noexcept;
void* memmove(void* dst, void const* src, usize count) noexcept;
void* memset(void* dst, int value, usize count) noexcept;
int memcmp(void const* a, void const* b, usize count) noexcept;
usize strlen(char const* string) noexcept;
}

namespace kstd {

// The C functions of the same names, in kstd so that kernel code does not depend on libc.
int strcmp(char const* a, char const* b);
int strncmp(char const* a, char const* b, usize count);
// Length of `string`, but never reads more than `max` bytes (for untrusted tables).
usize strnlen(char const* string, usize max);

constexpr bool is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}
constexpr bool is_digit(char c) { return c >= '0' && c <= '9'; }
constexpr char to_lower(char c) { return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c; }

class StringView {
public:
    static constexpr usize npos = usize(-1);

    constexpr StringView() = default;
    // A null C string is treated as "" so that a view's pointer is never null (libc's
    // memcmp/memcpy must not be handed null even for zero lengths).
    constexpr StringView(char const* cstring)
        : m_chars(cstring ? cstring : ""), m_length(cstring ? __builtin_strlen(cstring) : 0)
    {
    }
    constexpr StringView(char const* chars, usize length)
        : m_chars(chars ? chars : ""), m_length(chars ? length : 0)
    {
    }

    constexpr char const* characters() const { return m_chars; }
    constexpr usize length() const { return m_length; }
    constexpr bool is_empty() const { return m_length == 0; }
    constexpr char const* begin() const { return m_chars; }
    constexpr char const* end() const { return m_chars + m_length; }

    constexpr char operator[](usize index) const
    {
        VERIFY(index < m_length);
        return m_chars[index];
    }

    constexpr bool operator==(StringView other) const
    {
        if (m_length != other.m_length)
            return false;
        for (usize i = 0; i < m_length; ++i) {
            if (m_chars[i] != other.m_chars[i])
                return false;
        }
        return true;
    }

    constexpr bool equals_ignoring_case(StringView other) const
    {
        if (m_length != other.m_length)
            return false;
        for (usize i = 0; i < m_length; ++i) {
            if (to_lower(m_chars[i]) != to_lower(other.m_chars[i]))
                return false;
        }
        return true;
    }

    constexpr bool starts_with(StringView prefix) const
    {
        return prefix.m_length <= m_length && substring(0, prefix.m_length) == prefix;
    }
    constexpr bool starts_with(char c) const { return m_length > 0 && m_chars[0] == c; }
    constexpr bool ends_with(StringView suffix) const
    {
        return suffix.m_length <= m_length && substring(m_length - suffix.m_length) == suffix;
    }

    // Index of the first `c` at or after `start`.
    constexpr Optional<usize> find(char c, usize start = 0) const
    {
        for (usize i = start; i < m_length; ++i) {
            if (m_chars[i] == c)
                return i;
        }
        return nullopt;
    }
    Optional<usize> find(StringView needle, usize start = 0) const;
    constexpr bool contains(char c) const { return find(c).has_value(); }

    // Bounds-safe: a start past the end gives "", a length past the end is clamped.
    constexpr StringView substring(usize start, usize length = npos) const
    {
        if (start > m_length)
            return { m_chars + m_length, 0 };
        usize available = m_length - start;
        return { m_chars + start, length < available ? length : available };
    }

    // Without leading and trailing whitespace (spaces, tabs, CR, LF).
    constexpr StringView trim() const
    {
        usize first = 0;
        usize last = m_length;
        while (first < last && is_space(m_chars[first]))
            ++first;
        while (last > first && is_space(m_chars[last - 1]))
            --last;
        return substring(first, last - first);
    }

    // Tokenizer: returns the text before the next `separator` and advances this view past it.
    // "a,,b" yields "a", "", "b"; an empty view yields nothing (so a trailing separator does
    // not produce a final empty field).
    //     StringView rest = line;
    //     while (auto field = rest.split_next(',')) use(*field);
    Optional<StringView> split_next(char separator);

    // Like split_next, but on runs of whitespace, skipping leading and trailing blanks.
    Optional<StringView> next_word();

private:
    char const* m_chars { "" };
    usize m_length { 0 };
};

// Parses an unsigned integer that must fill all of `text` (trim first if needed).
// base 0 picks from the prefix: "0x" hex, "0b" binary, otherwise decimal. Leading zeros stay
// decimal, unlike strtoul: on a kernel command line "010" means ten. Base 16 also accepts a
// "0x" prefix.
// Errors: EINVAL for an empty string, a bad digit or a bad base; ERANGE if it exceeds 64 bits.
ErrorOr<u64> parse_u64(StringView text, int base = 0);

// As parse_u64 with an optional leading '-' or '+'. ERANGE outside [INT64_MIN, INT64_MAX].
ErrorOr<i64> parse_i64(StringView text, int base = 0);

// Copies as much of `source` as fits into dst[0 .. capacity-1] and always NUL-terminates
// (unless capacity is 0, when nothing is written). Returns the number of characters copied.
usize copy_string(char* dst, usize capacity, StringView source);

}

using kstd::StringView;
