// A small printf engine (see <kstd/format.h> for what it supports). Structure: the format
// string is walked once; each conversion is parsed into a Spec, its argument fetched with the
// right width, and rendered through Output, which counts every character but only stores what
// fits, giving C's snprintf return value for free.
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace kstd {

namespace {

class Output {
public:
    Output(char* buffer, usize capacity) : m_buffer(buffer), m_capacity(capacity) {}

    void put(char c)
    {
        if (m_length + 1 < m_capacity)
            m_buffer[m_length] = c;
        ++m_length;
    }

    // O(what fits), not O(count): "%2000000000d" must not spin for seconds.
    void put_repeated(char c, usize count)
    {
        usize room = m_length + 1 < m_capacity ? m_capacity - 1 - m_length : 0;
        usize stored = min(count, room);
        for (usize i = 0; i < stored; ++i)
            m_buffer[m_length + i] = c;
        m_length += count;
    }

    void put_string(char const* chars, usize count)
    {
        usize room = m_length + 1 < m_capacity ? m_capacity - 1 - m_length : 0;
        usize stored = min(count, room);
        for (usize i = 0; i < stored; ++i)
            m_buffer[m_length + i] = chars[i];
        m_length += count;
    }

    usize finish()
    {
        if (m_capacity > 0)
            m_buffer[min(m_length, m_capacity - 1)] = '\0';
        return m_length;
    }

private:
    char* m_buffer;
    usize m_capacity;
    usize m_length { 0 };
};

enum class Length { Default, Char, Short, Long, LongLong, Size, Max, Ptrdiff };

struct Spec {
    bool left { false };
    bool zero { false };
    bool plus { false };
    bool space { false };
    bool alternate { false };
    usize width { 0 };
    int precision { -1 }; // -1: not given
    Length length { Length::Default };
    char conversion { 0 };
};

// va_list is an array type on x86_64; wrapping it lets helpers take it by reference.
struct Args {
    va_list list;
};

// Widths and precisions beyond this are clamped: they are bugs, and int must not overflow.
constexpr int max_field = 1 << 20;

int parse_number(char const*& p)
{
    int value = 0;
    while (is_digit(*p)) {
        value = min(value * 10 + (*p - '0'), max_field);
        ++p;
    }
    return value;
}

void parse_flags(char const*& p, Spec& spec)
{
    for (;; ++p) {
        switch (*p) {
        case '-': spec.left = true; break;
        case '0': spec.zero = true; break;
        case '+': spec.plus = true; break;
        case ' ': spec.space = true; break;
        case '#': spec.alternate = true; break;
        default: return;
        }
    }
}

void parse_width_and_precision(char const*& p, Spec& spec, Args& args)
{
    if (*p == '*') {
        int width = va_arg(args.list, int);
        ++p;
        if (width < 0) {
            // C: a negative `*` width means the '-' flag and a positive width.
            spec.left = true;
            width = width == INT32_MIN ? max_field : -width;
        }
        spec.width = usize(min(width, max_field));
    } else {
        spec.width = usize(parse_number(p));
    }
    if (*p != '.')
        return;
    ++p;
    if (*p == '*') {
        int precision = va_arg(args.list, int);
        ++p;
        spec.precision = precision < 0 ? -1 : min(precision, max_field);
    } else {
        spec.precision = parse_number(p);
    }
}

void parse_length(char const*& p, Spec& spec)
{
    switch (*p) {
    case 'h':
        spec.length = p[1] == 'h' ? Length::Char : Length::Short;
        p += p[1] == 'h' ? 2 : 1;
        return;
    case 'l':
        spec.length = p[1] == 'l' ? Length::LongLong : Length::Long;
        p += p[1] == 'l' ? 2 : 1;
        return;
    case 'z': spec.length = Length::Size; break;
    case 'j': spec.length = Length::Max; break;
    case 't': spec.length = Length::Ptrdiff; break;
    default: return;
    }
    ++p;
}

// Parses everything after '%' up to and including the conversion character (which is 0 if
// the format string ended first). Returns the position after the conversion.
char const* parse_spec(char const* p, Spec& spec, Args& args)
{
    parse_flags(p, spec);
    parse_width_and_precision(p, spec, args);
    parse_length(p, spec);
    spec.conversion = *p;
    return *p ? p + 1 : p;
}

// Fetches an argument the way the length modifier says it was passed (default argument
// promotions turn char and short into int), then narrows it back.
i64 fetch_signed(Args& args, Length length)
{
    switch (length) {
    case Length::Char: return static_cast<signed char>(va_arg(args.list, int));
    case Length::Short: return static_cast<short>(va_arg(args.list, int));
    case Length::Long: return va_arg(args.list, long);
    case Length::LongLong: return va_arg(args.list, long long);
    case Length::Size: return va_arg(args.list, isize);
    case Length::Max: return va_arg(args.list, intmax_t);
    case Length::Ptrdiff: return va_arg(args.list, isize);
    case Length::Default: break;
    }
    return va_arg(args.list, int);
}

u64 fetch_unsigned(Args& args, Length length)
{
    switch (length) {
    case Length::Char: return static_cast<unsigned char>(va_arg(args.list, unsigned));
    case Length::Short: return static_cast<unsigned short>(va_arg(args.list, unsigned));
    case Length::Long: return va_arg(args.list, unsigned long);
    case Length::LongLong: return va_arg(args.list, unsigned long long);
    case Length::Size: return va_arg(args.list, usize);
    case Length::Max: return va_arg(args.list, uintmax_t);
    case Length::Ptrdiff: return va_arg(args.list, usize);
    case Length::Default: break;
    }
    return va_arg(args.list, unsigned);
}

struct Integer {
    u64 magnitude;
    bool negative;
    bool is_signed; // %d/%i: the '+' and ' ' flags apply
    unsigned base;
    bool upper;
    bool is_pointer;
};

// Digits of `value` written right-aligned into `digits`; returns where they start.
char* render_digits(char* end, u64 value, unsigned base, bool upper)
{
    char const* alphabet = upper ? "0123456789ABCDEF" : "0123456789abcdef";
    char* p = end;
    do {
        *--p = alphabet[value % base];
        value /= base;
    } while (value != 0);
    return p;
}

// Layout: [spaces] [sign or 0x] [zero padding] [precision zeros] digits [spaces]
void format_integer(Output& out, Spec const& spec, Integer const& n)
{
    char buffer[24];
    char* end = buffer + sizeof(buffer);
    char* digits = end;
    // C: a zero value with precision 0 prints no digits at all.
    if (n.magnitude != 0 || spec.precision != 0)
        digits = render_digits(end, n.magnitude, n.base, n.upper);
    usize digit_count = usize(end - digits);

    usize zeros = spec.precision > int(digit_count) ? usize(spec.precision) - digit_count : 0;
    // %#o guarantees a leading 0, whether from the value, the precision or an extra one.
    if (spec.alternate && n.base == 8 && zeros == 0 && (n.magnitude != 0 || digit_count == 0))
        zeros = 1;

    char prefix[2];
    usize prefix_length = 0;
    if (n.negative)
        prefix[prefix_length++] = '-';
    else if (spec.plus && n.is_signed)
        prefix[prefix_length++] = '+';
    else if (spec.space && n.is_signed)
        prefix[prefix_length++] = ' ';
    if (n.base == 16 && (n.is_pointer || (spec.alternate && n.magnitude != 0))) {
        prefix[prefix_length++] = '0';
        prefix[prefix_length++] = n.upper ? 'X' : 'x';
    }

    usize total = prefix_length + zeros + digit_count;
    usize padding = spec.width > total ? spec.width - total : 0;
    bool zero_pad = spec.zero && !spec.left && spec.precision < 0;
    if (!spec.left && !zero_pad)
        out.put_repeated(' ', padding);
    out.put_string(prefix, prefix_length);
    if (zero_pad)
        out.put_repeated('0', padding);
    out.put_repeated('0', zeros);
    out.put_string(digits, digit_count);
    if (spec.left)
        out.put_repeated(' ', padding);
}

void format_text(Output& out, Spec const& spec, char const* text, usize length)
{
    usize padding = spec.width > length ? spec.width - length : 0;
    if (!spec.left)
        out.put_repeated(' ', padding);
    out.put_string(text, length);
    if (spec.left)
        out.put_repeated(' ', padding);
}

void format_string(Output& out, Spec const& spec, char const* string)
{
    if (!string)
        string = "(null)";
    // With a precision the string need not be NUL-terminated: never read past it.
    usize length = spec.precision >= 0 ? strnlen(string, usize(spec.precision))
                                       : strnlen(string, ~usize(0));
    format_text(out, spec, string, length);
}

// Renders one parsed conversion. Returns false for conversions we do not support.
bool format_conversion(Output& out, Spec& spec, Args& args)
{
    switch (spec.conversion) {
    case 'd':
    case 'i': {
        i64 value = fetch_signed(args, spec.length);
        // Negate in unsigned arithmetic so INT64_MIN works.
        u64 magnitude = value < 0 ? ~u64(value) + 1 : u64(value);
        format_integer(out, spec, { magnitude, value < 0, true, 10, false, false });
        return true;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
        unsigned base = spec.conversion == 'u' ? 10 : spec.conversion == 'o' ? 8 : 16;
        u64 value = fetch_unsigned(args, spec.length);
        format_integer(out, spec, { value, false, false, base, spec.conversion == 'X', false });
        return true;
    }
    case 'p': {
        auto address = reinterpret_cast<uptr>(va_arg(args.list, void*));
        if (spec.precision < 0)
            spec.precision = 16;
        format_integer(out, spec, { address, false, false, 16, false, true });
        return true;
    }
    case 's':
        format_string(out, spec, va_arg(args.list, char const*));
        return true;
    case 'c': {
        char c = char(va_arg(args.list, int));
        format_text(out, spec, &c, 1);
        return true;
    }
    case '%':
        out.put('%');
        return true;
    default:
        return false;
    }
}

}

usize vsnprintf(char* buffer, usize capacity, char const* format, va_list list)
{
    Output out(buffer, capacity);
    Args args;
    va_copy(args.list, list);
    char const* p = format;
    while (*p) {
        if (*p != '%') {
            out.put(*p++);
            continue;
        }
        char const* start = p;
        Spec spec;
        p = parse_spec(p + 1, spec, args);
        if (!format_conversion(out, spec, args))
            out.put_string(start, usize(p - start));
    }
    va_end(args.list);
    return out.finish();
}

usize snprintf(char* buffer, usize capacity, char const* format, ...)
{
    va_list args;
    va_start(args, format);
    usize length = vsnprintf(buffer, capacity, format, args);
    va_end(args);
    return length;
}

StringBuilder::StringBuilder(char* buffer, usize capacity) : m_buffer(buffer), m_capacity(capacity)
{
    VERIFY(capacity > 0);
    m_buffer[0] = '\0';
}

void StringBuilder::vappend(char const* format, va_list args)
{
    usize room = m_capacity - m_length;
    usize wanted = vsnprintf(m_buffer + m_length, room, format, args);
    if (wanted >= room) {
        m_truncated = true;
        wanted = room - 1;
    }
    m_length += wanted;
}

void StringBuilder::append(char const* format, ...)
{
    va_list args;
    va_start(args, format);
    vappend(format, args);
    va_end(args);
}

void StringBuilder::append_string(StringView text)
{
    usize room = m_capacity - m_length - 1;
    if (text.length() > room)
        m_truncated = true;
    usize count = min(text.length(), room);
    if (count > 0)
        memcpy(m_buffer + m_length, text.characters(), count);
    m_length += count;
    m_buffer[m_length] = '\0';
}

void StringBuilder::append_char(char c)
{
    append_string(StringView(&c, 1));
}

void StringBuilder::clear()
{
    m_length = 0;
    m_truncated = false;
    m_buffer[0] = '\0';
}

usize format_hex_line(char* out, usize capacity, u64 address, ReadonlyBytes bytes)
{
    char line[hex_line_capacity];
    StringBuilder builder(line, sizeof(line));
    usize count = min(bytes.size(), hex_line_bytes);
    builder.append("%016llx ", static_cast<unsigned long long>(address));
    for (usize i = 0; i < hex_line_bytes; ++i) {
        if (i % 8 == 0)
            builder.append_char(' ');
        if (i < count)
            builder.append("%02x ", bytes[i]);
        else
            builder.append_string("   ");
    }
    builder.append_string(" |");
    for (usize i = 0; i < count; ++i)
        builder.append_char(bytes[i] >= 0x20 && bytes[i] < 0x7f ? char(bytes[i]) : '.');
    builder.append_char('|');
    return snprintf(out, capacity, "%s", builder.c_str());
}

}
