// kstd::snprintf against glibc's snprintf where C defines the result, plus the kstd-specific
// behaviour (%p, (null), unsupported conversions), truncation, FormatBuffer and hex lines.
#include "support.h"
#include <kstd/format.h>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

// The formats below are deliberately unusual; glibc is the reference.
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
#pragma GCC diagnostic ignored "-Wformat-overflow"

namespace {

template<typename... Args>
std::string kformat(char const* format, Args... args)
{
    char buffer[512];
    usize length = kstd::snprintf(buffer, sizeof(buffer), format, args...);
    CHECK(length == std::string(buffer).size());
    return buffer;
}

template<typename... Args>
void check_like_libc(char const* format, Args... args)
{
    char ours[512];
    char theirs[512];
    usize our_length = kstd::snprintf(ours, sizeof(ours), format, args...);
    int their_length = std::snprintf(theirs, sizeof(theirs), format, args...);
    INFO("format \"" << format << "\"");
    CHECK(std::string(ours) == std::string(theirs));
    CHECK(our_length == usize(their_length));
}

}

TEST_CASE("integers match libc", "[format]")
{
    check_like_libc("plain text");
    check_like_libc("%d|%i|%u", 42, -42, 42u);
    check_like_libc("%d %d", INT_MIN, INT_MAX);
    check_like_libc("%u %x %X %o", UINT_MAX, 0xdeadbeefu, 0xdeadbeefu, 0777u);
    check_like_libc("[%5d] [%-5d] [%05d] [%-05d]", 42, 42, 42, 42);
    check_like_libc("[%5d] [%05d] [%+d] [% d] [%+d]", -42, -42, 42, 42, -42);
    check_like_libc("[%+ d] [% 05d] [%+05d]", 7, 7, 7);
    check_like_libc("[%.3d] [%5.3d] [%-5.3d] [%05.3d] [%.3d]", 7, 7, 7, 7, -7);
    check_like_libc("[%.0d] [%.0u] [%5.0x] [%.0o]", 0, 0u, 0u, 0u);
    check_like_libc("[%#x] [%#X] [%#o] [%#x] [%#o] [%#.0o]", 255u, 255u, 8u, 0u, 0u, 0u);
    check_like_libc("[%#10x] [%#010x] [%-#10x] [%#.5o] [%#5o]", 255u, 255u, 255u, 8u, 8u);
    check_like_libc("[%*d] [%-*d] [%*d]", 6, 42, 6, 42, -6, 42);
    check_like_libc("[%.*d] [%.*d] [%*.*d]", 4, 42, -1, 42, 8, 4, 42);
    check_like_libc("%x %X", 0xabcdefu, 0xabcdefu);
    check_like_libc("%d%%", 50);
    // '+' and ' ' only affect signed conversions.
    check_like_libc("[%+u] [% u] [%+x] [% o]", 5u, 5u, 5u, 5u);
}

TEST_CASE("length modifiers match libc", "[format]")
{
    check_like_libc("%hhd %hhu %hhx", 300, 300, 0x1ff);
    check_like_libc("%hhd", -129);
    check_like_libc("%hd %hu %hx", 70000, 70000, 0x1ffff);
    check_like_libc("%ld %lu %lx", LONG_MIN, ULONG_MAX, ULONG_MAX);
    check_like_libc("%lld %llu %llx %llo", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL, ULLONG_MAX);
    check_like_libc("%zu %zx %zd", SIZE_MAX, size_t(0x1000), ptrdiff_t(-3));
    check_like_libc("%jd %ju %jx", INTMAX_MIN, UINTMAX_MAX, UINTMAX_MAX);
    check_like_libc("%td %tu %tx", PTRDIFF_MIN, size_t(PTRDIFF_MAX), ptrdiff_t(-1));
    check_like_libc("[%20llx] [%-20lld] [%020lld]", 0xffULL, -5LL, -5LL);
}

TEST_CASE("strings and characters match libc", "[format]")
{
    check_like_libc("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s]", "abc", "abc", "abc", "abc", "abc", "abc");
    check_like_libc("[%.*s] [%.*s] [%*s]", 3, "abcdef", -1, "abcdef", -5, "ab");
    check_like_libc("[%s] [%.0s]", "", "abc");
    check_like_libc("[%c] [%3c] [%-3c] [%c]", 'x', 'y', 'z', 0x141);
    check_like_libc("%s=%d, %s=%#x", "irq", 11, "base", 0x3f8u);
}

TEST_CASE("%.*s reads no further than the precision", "[format]")
{
    char const unterminated[3] = { 'a', 'b', 'c' };
    CHECK(kformat("[%.*s]", 3, unterminated) == "[abc]");
    CHECK(kformat("[%.2s]", unterminated) == "[ab]");
}

TEST_CASE("%p prints 0x and 16 digits", "[format]")
{
    CHECK(kformat("%p", reinterpret_cast<void*>(0xffffffff80001000ULL)) == "0xffffffff80001000");
    CHECK(kformat("%p", reinterpret_cast<void*>(0x1234)) == "0x0000000000001234");
    CHECK(kformat("%p", nullptr) == "0x0000000000000000");
    CHECK(kformat("[%20p]", reinterpret_cast<void*>(0x1)) == "[  0x0000000000000001]");
    CHECK(kformat("[%-20p]", reinterpret_cast<void*>(0x1)) == "[0x0000000000000001  ]");
    CHECK(kformat("%.4p", reinterpret_cast<void*>(0xab)) == "0x00ab");
}

TEST_CASE("%s of nullptr prints (null)", "[format]")
{
    char const* null_string = nullptr;
    CHECK(kformat("%s", null_string) == "(null)");
    CHECK(kformat("[%8s]", null_string) == "[  (null)]");
}

TEST_CASE("unsupported or broken conversions are printed as written", "[format]")
{
    CHECK(kformat("%f") == "%f");
    CHECK(kformat("a %5.2f b %d", 7) == "a %5.2f b 7");
    CHECK(kformat("%n") == "%n");
    CHECK(kformat("%q%d", 3) == "%q3");
    CHECK(kformat("100%") == "100%");
    CHECK(kformat("x%-5") == "x%-5");
    CHECK(kformat("%ll") == "%ll");
}

TEST_CASE("truncation follows C snprintf", "[format]")
{
    char buffer[8];
    CHECK(kstd::snprintf(buffer, sizeof(buffer), "%s", "0123456789") == 10);
    CHECK(std::string(buffer) == "0123456");

    CHECK(kstd::snprintf(buffer, sizeof(buffer), "%d-%d", 1234, 5678) == 9);
    CHECK(std::string(buffer) == "1234-56");

    CHECK(kstd::snprintf(buffer, 1, "abc") == 3);
    CHECK(buffer[0] == '\0');

    buffer[0] = 'q';
    CHECK(kstd::snprintf(buffer, 0, "abc") == 3);
    CHECK(kstd::snprintf(nullptr, 0, "%d", 12345) == 5);
    CHECK(buffer[0] == 'q');

    CHECK(kstd::snprintf(buffer, sizeof(buffer), "%10d", 1) == 10);
    CHECK(std::string(buffer) == "       ");
}

TEST_CASE("huge widths are counted, not written", "[format]")
{
    char buffer[16];
    CHECK(kstd::snprintf(buffer, sizeof(buffer), "%100000d", 1) == 100000);
    CHECK(std::string(buffer) == std::string(15, ' '));
    // Widths beyond 2^20 are clamped (they can only be bugs) instead of overflowing an int.
    CHECK(kstd::snprintf(buffer, sizeof(buffer), "%99999999999d", 1) == (1u << 20));
    CHECK(kstd::snprintf(buffer, sizeof(buffer), "%*d", INT_MIN, 1) == (1u << 20));
}

TEST_CASE("vsnprintf forwards a va_list", "[format]")
{
    struct Helper {
        static usize call(char* buffer, usize capacity, char const* format, ...)
        {
            va_list args;
            va_start(args, format);
            usize length = kstd::vsnprintf(buffer, capacity, format, args);
            va_end(args);
            return length;
        }
    };
    char buffer[32];
    CHECK(Helper::call(buffer, sizeof(buffer), "%s:%d", "irq", 4) == 5);
    CHECK(std::string(buffer) == "irq:4");
}

TEST_CASE("FormatBuffer appends and tracks truncation", "[format]")
{
    kstd::FormatBuffer<16> line;
    CHECK(line.length() == 0);
    CHECK(std::string(line.c_str()).empty());
    line.append("irq %u: ", 4u);
    line.append_string("uart");
    line.append_char('!');
    CHECK(std::string(line.c_str()) == "irq 4: uart!");
    CHECK(line.view() == "irq 4: uart!");
    CHECK(line.length() == 12);
    CHECK_FALSE(line.is_truncated());

    line.append("%s", "0123456789");
    CHECK(line.length() == 15);
    CHECK(std::string(line.c_str()) == "irq 4: uart!012");
    CHECK(line.is_truncated());
    line.append_char('x');
    CHECK(line.length() == 15);

    line.clear();
    CHECK(line.length() == 0);
    CHECK_FALSE(line.is_truncated());
    line.append_string("0123456789abcdefXYZ");
    CHECK(line.view() == "0123456789abcde");
    CHECK(line.is_truncated());

    kstd::FormatBuffer<1> tiny;
    tiny.append("%d", 5);
    CHECK(tiny.length() == 0);
    CHECK(tiny.is_truncated());
}

TEST_CASE("format_hex_line", "[format][hexdump]")
{
    char line[kstd::hex_line_capacity];
    u8 const text[] = { 'H', 'e', 'l', 'l', 'o', ',', ' ', 'w', 'o', 'r', 'l', 'd', '\n', 0, 0, 0xff };
    usize length = kstd::format_hex_line(line, sizeof(line), 0xffffffff80001000ULL, text);
    CHECK(std::string(line)
        == "ffffffff80001000  48 65 6c 6c 6f 2c 20 77  6f 72 6c 64 0a 00 00 ff  |Hello, world....|");
    CHECK(length == std::string(line).size());

    u8 const few[] = { 0x41, 0x00, 0x7f };
    kstd::format_hex_line(line, sizeof(line), 0x10, few);
    CHECK(std::string(line)
        == "0000000000000010  41 00 7f                                          |A..|");

    kstd::format_hex_line(line, sizeof(line), 0, {});
    CHECK(std::string(line).size() == 70);

    // Truncated output is still terminated, and the full length is reported.
    char small[10];
    CHECK(kstd::format_hex_line(small, sizeof(small), 0, few) == 73);
    CHECK(std::string(small) == "000000000");
}

TEST_CASE("hexdump emits one line per 16 bytes", "[format][hexdump]")
{
    u8 data[40];
    for (usize i = 0; i < sizeof(data); ++i)
        data[i] = u8('a' + i % 26);
    std::vector<std::string> lines;
    kstd::hexdump(data, 0x1000, [&](kstd::StringView line) {
        lines.emplace_back(line.characters(), line.length());
    });
    REQUIRE(lines.size() == 3);
    CHECK(lines[0].rfind("0000000000001000  61 62", 0) == 0);
    CHECK(lines[1].rfind("0000000000001010  71 72", 0) == 0);
    CHECK(lines[2] == "0000000000001020  67 68 69 6a 6b 6c 6d 6e                           |ghijklmn|");
}
