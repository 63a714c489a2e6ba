// StringView, the C string helpers, copy_string and number parsing.
#include "support.h"
#include <kstd/string.h>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

using namespace kstd;

namespace {

std::vector<std::string> split_all(StringView text, char separator)
{
    std::vector<std::string> fields;
    while (auto field = text.split_next(separator))
        fields.emplace_back(field->characters(), field->length());
    return fields;
}

std::vector<std::string> words_of(StringView text)
{
    std::vector<std::string> words;
    while (auto word = text.next_word())
        words.emplace_back(word->characters(), word->length());
    return words;
}

}

static_assert(StringView("abc").length() == 3);
static_assert(StringView("abc") == StringView("abc", 3));
static_assert(StringView("kernel").starts_with("ker"));
static_assert(StringView("  x ").trim() == "x");

TEST_CASE("StringView construction", "[string]")
{
    StringView empty;
    CHECK(empty.is_empty());
    CHECK(empty.length() == 0);
    CHECK(empty.characters() != nullptr);

    char const* null_string = nullptr;
    StringView from_null(null_string);
    CHECK(from_null.is_empty());
    CHECK(from_null.characters() != nullptr);
    CHECK(StringView(nullptr, 5).is_empty());

    StringView hello("hello");
    CHECK(hello.length() == 5);
    CHECK(hello[0] == 'h');
    CHECK(hello[4] == 'o');
    REQUIRE_VERIFY_FAILS(hello[5]);

    StringView part("hello world", 5);
    CHECK(part == "hello");
    std::string collected;
    for (char c : part)
        collected += c;
    CHECK(collected == "hello");
}

TEST_CASE("StringView comparison", "[string]")
{
    CHECK(StringView("abc") == "abc");
    CHECK("abc" == StringView("abc"));
    CHECK(StringView("abc") != "abd");
    CHECK(StringView("abc") != "ab");
    CHECK(StringView("") == StringView());
    CHECK(StringView("Yes").equals_ignoring_case("yES"));
    CHECK_FALSE(StringView("Yes").equals_ignoring_case("ye"));
}

TEST_CASE("StringView starts_with / ends_with / find / contains", "[string]")
{
    StringView text("uart.mode=irq");
    CHECK(text.starts_with("uart."));
    CHECK(text.starts_with(""));
    CHECK(text.starts_with('u'));
    CHECK_FALSE(StringView().starts_with('u'));
    CHECK_FALSE(text.starts_with("uart.mode=irq2"));
    CHECK(text.ends_with("=irq"));
    CHECK(text.ends_with(""));
    CHECK_FALSE(text.ends_with("xuart.mode=irq"));

    REQUIRE(text.find('=').has_value());
    CHECK(*text.find('=') == 9);
    CHECK(*text.find('r') == 2);
    CHECK(*text.find('r', 3) == 11);
    CHECK_FALSE(text.find('r', 12).has_value());
    CHECK_FALSE(text.find('r', 1000).has_value());
    CHECK_FALSE(text.find('#').has_value());
    CHECK(text.contains('.'));
    CHECK_FALSE(text.contains('#'));

    CHECK(*text.find(StringView("mode")) == 5);
    CHECK_FALSE(text.find(StringView("modes")).has_value());
    CHECK(*text.find(StringView("")) == 0);
    CHECK_FALSE(StringView("ab").find(StringView("abc")).has_value());
}

TEST_CASE("StringView substring is bounds-safe", "[string]")
{
    StringView text("abcdef");
    CHECK(text.substring(2) == "cdef");
    CHECK(text.substring(2, 2) == "cd");
    CHECK(text.substring(4, 100) == "ef");
    CHECK(text.substring(6) == "");
    CHECK(text.substring(7).is_empty());
    CHECK(text.substring(1000, 5).is_empty());
    CHECK(text.substring(0, 0).is_empty());
    CHECK(text.substring(0, StringView::npos) == text);
}

TEST_CASE("StringView trim", "[string]")
{
    CHECK(StringView("  a b \t\r\n").trim() == "a b");
    CHECK(StringView("ab").trim() == "ab");
    CHECK(StringView(" \t ").trim().is_empty());
    CHECK(StringView().trim().is_empty());
}

TEST_CASE("StringView split_next", "[string]")
{
    CHECK(split_all("a,b,c", ',') == std::vector<std::string> { "a", "b", "c" });
    CHECK(split_all("a,,b", ',') == std::vector<std::string> { "a", "", "b" });
    CHECK(split_all(",a", ',') == std::vector<std::string> { "", "a" });
    CHECK(split_all("a,", ',') == std::vector<std::string> { "a" });
    CHECK(split_all("abc", ',') == std::vector<std::string> { "abc" });
    CHECK(split_all("", ',').empty());
}

TEST_CASE("StringView next_word", "[string]")
{
    CHECK(words_of("  irq   stats\teth0 \n") == std::vector<std::string> { "irq", "stats", "eth0" });
    CHECK(words_of("one") == std::vector<std::string> { "one" });
    CHECK(words_of("   ").empty());
    CHECK(words_of("").empty());

    StringView rest("help me");
    CHECK(*rest.next_word() == "help");
    CHECK(rest == " me");
}

TEST_CASE("strcmp, strncmp and strnlen", "[string]")
{
    CHECK(kstd::strcmp("abc", "abc") == 0);
    CHECK(kstd::strcmp("abc", "abd") < 0);
    CHECK(kstd::strcmp("abd", "abc") > 0);
    CHECK(kstd::strcmp("ab", "abc") < 0);
    CHECK(kstd::strcmp("", "") == 0);
    // Bytes compare as unsigned, as in C.
    CHECK(kstd::strcmp("\xff", "a") > 0);
    CHECK((kstd::strcmp("\xff", "a") > 0) == (std::strcmp("\xff", "a") > 0));

    CHECK(kstd::strncmp("abcdef", "abcxyz", 3) == 0);
    CHECK(kstd::strncmp("abcdef", "abcxyz", 4) < 0);
    CHECK(kstd::strncmp("ab", "ab", 10) == 0);
    CHECK(kstd::strncmp("a", "b", 0) == 0);

    CHECK(kstd::strnlen("hello", 10) == 5);
    CHECK(kstd::strnlen("hello", 3) == 3);
    char unterminated[4] = { 'a', 'b', 'c', 'd' };
    CHECK(kstd::strnlen(unterminated, sizeof(unterminated)) == 4);
}

TEST_CASE("copy_string always NUL-terminates", "[string]")
{
    char buffer[8];
    std::memset(buffer, 'x', sizeof(buffer));
    CHECK(copy_string(buffer, sizeof(buffer), "hi") == 2);
    CHECK(std::string(buffer) == "hi");

    CHECK(copy_string(buffer, sizeof(buffer), "truncated text") == 7);
    CHECK(std::string(buffer) == "truncat");

    CHECK(copy_string(buffer, 1, "abc") == 0);
    CHECK(buffer[0] == '\0');

    buffer[0] = 'q';
    CHECK(copy_string(buffer, 0, "abc") == 0);
    CHECK(buffer[0] == 'q');

    CHECK(copy_string(buffer, sizeof(buffer), StringView("abcdef", 3)) == 3);
    CHECK(std::string(buffer) == "abc");
}

TEST_CASE("parse_u64", "[string][parse]")
{
    CHECK(parse_u64("0").value() == 0);
    CHECK(parse_u64("42").value() == 42);
    CHECK(parse_u64("010").value() == 10);
    CHECK(parse_u64("0x1F").value() == 31);
    CHECK(parse_u64("0XfF").value() == 255);
    CHECK(parse_u64("0b101").value() == 5);
    CHECK(parse_u64("18446744073709551615").value() == UINT64_MAX);
    CHECK(parse_u64("0xffffffffffffffff").value() == UINT64_MAX);

    CHECK(parse_u64("ff", 16).value() == 255);
    CHECK(parse_u64("0xff", 16).value() == 255);
    CHECK(parse_u64("777", 8).value() == 511);
    CHECK(parse_u64("z", 36).value() == 35);

    CHECK(parse_u64("18446744073709551616").error().code() == ERANGE);
    CHECK(parse_u64("0x10000000000000000").error().code() == ERANGE);
    CHECK(parse_u64("99999999999999999999999").error().code() == ERANGE);

    CHECK(parse_u64("").error().code() == EINVAL);
    CHECK(parse_u64("0x").error().code() == EINVAL);
    CHECK(parse_u64("12a").error().code() == EINVAL);
    CHECK(parse_u64(" 12").error().code() == EINVAL);
    CHECK(parse_u64("-1").error().code() == EINVAL);
    CHECK(parse_u64("0x1g").error().code() == EINVAL);
    CHECK(parse_u64("0b2").error().code() == EINVAL);
    CHECK(parse_u64("99999999999999999999999x").error().code() == EINVAL);
    CHECK(parse_u64("8", 8).error().code() == EINVAL);
    CHECK(parse_u64("1", 1).error().code() == EINVAL);
    CHECK(parse_u64("1", 37).error().code() == EINVAL);
}

TEST_CASE("parse_i64", "[string][parse]")
{
    CHECK(parse_i64("0").value() == 0);
    CHECK(parse_i64("-5").value() == -5);
    CHECK(parse_i64("+5").value() == 5);
    CHECK(parse_i64("-0x10").value() == -16);
    CHECK(parse_i64("9223372036854775807").value() == INT64_MAX);
    CHECK(parse_i64("-9223372036854775808").value() == INT64_MIN);
    CHECK(parse_i64("9223372036854775808").error().code() == ERANGE);
    CHECK(parse_i64("-9223372036854775809").error().code() == ERANGE);
    CHECK(parse_i64("-").error().code() == EINVAL);
    CHECK(parse_i64("--1").error().code() == EINVAL);
}

TEST_CASE("parse_size: bytes with an optional K, M or G", "[string][parse]")
{
    CHECK(kstd::parse_size("4096").value() == 4096);
    CHECK(kstd::parse_size("64K").value() == 64 * 1024);
    CHECK(kstd::parse_size("4m").value() == 4ull << 20);
    CHECK(kstd::parse_size("2G").value() == 2ull << 30);
    CHECK(kstd::parse_size("0x10K").value() == 16 * 1024);
    CHECK(kstd::parse_size("").error().code() == EINVAL);
    CHECK(kstd::parse_size("K").error().code() == EINVAL);
    CHECK(kstd::parse_size("4MB").error().code() == EINVAL);
    CHECK(kstd::parse_size("-1").error().code() == EINVAL);
    CHECK(kstd::parse_size("17179869184G").error().code() == ERANGE);   // 2^34 G = 2^64 bytes
}
