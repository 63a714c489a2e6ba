// String helpers that are too large to live inline in <kstd/string.h>. Portable: compiled into
// the kernel and into the host unit tests. The mem* primitives themselves are in mem.cpp
// (kernel only), because the host has libc's.
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace kstd {

int strcmp(char const* a, char const* b)
{
    // Compare as unsigned char, like C: "\xff" sorts after "a".
    while (*a && *a == *b) {
        ++a;
        ++b;
    }
    return int(u8(*a)) - int(u8(*b));
}

int strncmp(char const* a, char const* b, usize count)
{
    for (usize i = 0; i < count; ++i) {
        if (a[i] != b[i] || a[i] == '\0')
            return int(u8(a[i])) - int(u8(b[i]));
    }
    return 0;
}

usize strnlen(char const* string, usize max)
{
    usize length = 0;
    while (length < max && string[length] != '\0')
        ++length;
    return length;
}

Optional<usize> StringView::find(StringView needle, usize start) const
{
    if (needle.length() > length())
        return nullopt;
    for (usize i = start; i + needle.length() <= length(); ++i) {
        if (substring(i, needle.length()) == needle)
            return i;
    }
    return nullopt;
}

Optional<StringView> StringView::split_next(char separator)
{
    if (is_empty())
        return nullopt;
    auto index = find(separator);
    if (!index.has_value()) {
        StringView field = *this;
        *this = substring(length());
        return field;
    }
    StringView field = substring(0, *index);
    *this = substring(*index + 1);
    return field;
}

Optional<StringView> StringView::next_word()
{
    usize start = 0;
    while (start < length() && is_space(m_chars[start]))
        ++start;
    usize end = start;
    while (end < length() && !is_space(m_chars[end]))
        ++end;
    StringView word = substring(start, end - start);
    *this = substring(end);
    if (word.is_empty())
        return nullopt;
    return word;
}

namespace {

// The value of digit `c` in bases up to 36, or 36 for "not a digit".
unsigned digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return unsigned(c - '0');
    c = to_lower(c);
    if (c >= 'a' && c <= 'z')
        return unsigned(c - 'a' + 10);
    return 36;
}

// Strips a radix prefix and resolves base 0. Returns 0 for an unsupported base.
int resolve_base(StringView& text, int base)
{
    bool has_hex_prefix = text.length() > 2 && text[0] == '0' && to_lower(text[1]) == 'x';
    bool has_bin_prefix = text.length() > 2 && text[0] == '0' && to_lower(text[1]) == 'b';
    if ((base == 0 || base == 16) && has_hex_prefix) {
        text = text.substring(2);
        return 16;
    }
    if (base == 0 && has_bin_prefix) {
        text = text.substring(2);
        return 2;
    }
    if (base == 0)
        return 10;
    return (base >= 2 && base <= 36) ? base : 0;
}

}

ErrorOr<u64> parse_u64(StringView text, int base)
{
    base = resolve_base(text, base);
    if (base == 0 || text.is_empty())
        return Error::from_errno(EINVAL);

    u64 value = 0;
    bool overflow = false;
    for (char c : text) {
        unsigned digit = digit_value(c);
        if (digit >= unsigned(base))
            return Error::from_errno(EINVAL);
        // Keep scanning after an overflow so that junk still reports EINVAL, not ERANGE.
        if (value > (~u64(0) - digit) / u64(base))
            overflow = true;
        value = value * u64(base) + digit;
    }
    if (overflow)
        return Error::from_errno(ERANGE);
    return value;
}

ErrorOr<u64> parse_size(StringView text)
{
    u32 shift = 0;
    char suffix = text.is_empty() ? '\0' : to_lower(text[text.length() - 1]);
    if (suffix == 'k' || suffix == 'm' || suffix == 'g') {
        shift = suffix == 'k' ? 10 : suffix == 'm' ? 20 : 30;
        text = text.substring(0, text.length() - 1);
    }
    u64 number = TRY(parse_u64(text));
    if (number > (~u64(0) >> shift))
        return Error::from_errno(ERANGE);
    return number << shift;
}

ErrorOr<i64> parse_i64(StringView text, int base)
{
    bool negative = text.starts_with('-');
    if (negative || text.starts_with('+'))
        text = text.substring(1);
    u64 magnitude = TRY(parse_u64(text, base));
    constexpr u64 max_positive = u64(INT64_MAX);
    if (negative) {
        if (magnitude > max_positive + 1)
            return Error::from_errno(ERANGE);
        // Negate in unsigned arithmetic: -INT64_MIN does not exist as an i64.
        return i64(~magnitude + 1);
    }
    if (magnitude > max_positive)
        return Error::from_errno(ERANGE);
    return i64(magnitude);
}

usize copy_string(char* dst, usize capacity, StringView source)
{
    if (capacity == 0)
        return 0;
    usize count = kstd::min(source.length(), capacity - 1);
    if (count > 0)
        memcpy(dst, source.characters(), count);
    dst[count] = '\0';
    return count;
}

}
