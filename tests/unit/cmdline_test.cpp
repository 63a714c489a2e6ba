// CommandLine: words, quotes, overriding through extend(), typed getters, limits, iteration.
#include "support.h"
#include <kernel/cmdline.h>
#include <string>
#include <utility>
#include <vector>

namespace {

using Pairs = std::vector<std::pair<std::string, std::string>>;

// Effective entries as "key" -> "value" (a bare flag shows as value "<flag>").
Pairs entries_of(CommandLine const& line)
{
    Pairs result;
    line.for_each([&](CommandLine::Entry const& entry) {
        std::string value = entry.has_value ? std::string(entry.value.characters(), entry.value.length()) : "<flag>";
        result.emplace_back(std::string(entry.key.characters(), entry.key.length()), value);
    });
    return result;
}

std::string get_string(CommandLine const& line, StringView key)
{
    auto value = line.get(key);
    REQUIRE(value.has_value());
    return std::string(value->characters(), value->length());
}

}

TEST_CASE("key=value words and bare flags", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse("test=uart_echo uart.mode=irq  quiet\tloglevel=7").is_error());
    CHECK(line.size() == 4);
    CHECK(get_string(line, "test") == "uart_echo");
    CHECK(get_string(line, "uart.mode") == "irq");
    CHECK(get_string(line, "quiet").empty());
    CHECK(line.has("quiet"));
    CHECK(line.has("loglevel"));
    CHECK_FALSE(line.has("missing"));
    CHECK_FALSE(line.get("missing").has_value());
    CHECK_FALSE(line.has("test=uart_echo"));
    CHECK(entries_of(line)
        == Pairs { { "test", "uart_echo" }, { "uart.mode", "irq" }, { "quiet", "<flag>" }, { "loglevel", "7" } });
}

TEST_CASE("empty and blank command lines", "[cmdline]")
{
    CommandLine line;
    CHECK(line.is_empty());
    CHECK(line.size() == 0);
    REQUIRE(!line.parse("").is_error());
    CHECK(line.is_empty());
    REQUIRE(!line.parse(" \t \r\n").is_error());
    CHECK(line.is_empty());
    CHECK(entries_of(line).empty());
    CHECK(line.begin() == line.end());
}

TEST_CASE("quotes group blanks and are removed", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse(R"(reason="a b  c" "title=x y" empty="" k="v"w eq=a=b)").is_error());
    CHECK(get_string(line, "reason") == "a b  c");
    CHECK(get_string(line, "title") == "x y");
    CHECK(get_string(line, "empty").empty());
    CHECK(get_string(line, "k") == "vw");
    CHECK(get_string(line, "eq") == "a=b");
    CHECK(line.size() == 5);
}

TEST_CASE("trailing newline from fw_cfg is ignored", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse("test=foo\n").is_error());
    CHECK(get_string(line, "test") == "foo");
}

TEST_CASE("extend overrides earlier keys", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse("test=lab1 uart.mode=poll irqchip=pic").is_error());
    REQUIRE(!line.extend("uart.mode=irq nonce=1234\n").is_error());
    CHECK(get_string(line, "uart.mode") == "irq");
    CHECK(get_string(line, "test") == "lab1");
    CHECK(line.get_u64("nonce", 0) == 1234);
    CHECK(line.size() == 4);
    // Each key once, at the position of its last occurrence.
    CHECK(entries_of(line)
        == Pairs { { "test", "lab1" }, { "irqchip", "pic" }, { "uart.mode", "irq" }, { "nonce", "1234" } });

    // A bare flag can override a value, and the other way round.
    REQUIRE(!line.extend("test").is_error());
    CHECK(get_string(line, "test").empty());
    CHECK(line.get_bool("test", false));
    REQUIRE(!line.extend("test=again").is_error());
    CHECK(get_string(line, "test") == "again");

    // parse() replaces everything.
    REQUIRE(!line.parse("only=1").is_error());
    CHECK(entries_of(line) == Pairs { { "only", "1" } });
}

TEST_CASE("get_u64", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse("a=42 b=0x10 c=junk d= flag e=99999999999999999999").is_error());
    CHECK(line.get_u64("a", 7) == 42);
    CHECK(line.get_u64("b", 7) == 16);
    CHECK(line.get_u64("c", 7) == 7);
    CHECK(line.get_u64("d", 7) == 7);
    CHECK(line.get_u64("flag", 7) == 7);
    CHECK(line.get_u64("e", 7) == 7);
    CHECK(line.get_u64("missing", 7) == 7);
}

TEST_CASE("get_bool", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse("t1=1 t2=yes t3=ON t4=True f1=0 f2=no f3=Off f4=FALSE flag odd=maybe empty=").is_error());
    for (auto key : { "t1", "t2", "t3", "t4", "flag" }) {
        INFO(key);
        CHECK(line.get_bool(key, false));
    }
    for (auto key : { "f1", "f2", "f3", "f4" }) {
        INFO(key);
        CHECK_FALSE(line.get_bool(key, true));
    }
    CHECK(line.get_bool("odd", true));
    CHECK_FALSE(line.get_bool("odd", false));
    CHECK(line.get_bool("empty", true));
    CHECK_FALSE(line.get_bool("missing", false));
    CHECK(line.get_bool("missing", true));
}

TEST_CASE("malformed input is rejected and changes nothing", "[cmdline]")
{
    CommandLine line;
    REQUIRE(!line.parse("test=keep").is_error());

    CHECK(line.extend(R"(a=1 reason="unterminated)").error().code() == EINVAL);
    CHECK(line.extend("=value").error().code() == EINVAL);
    CHECK(line.extend(R"(""=x)").error().code() == EINVAL);
    CHECK(line.parse(R"(x="y)").error().code() == EINVAL);
    CHECK(entries_of(line) == Pairs { { "test", "keep" } });
    CHECK_FALSE(line.has("a"));
}

TEST_CASE("limits: E2BIG, all-or-nothing", "[cmdline]")
{
    CommandLine line;
    std::string many;
    for (usize i = 0; i < CommandLine::max_entries; ++i)
        many += "k" + std::to_string(i) + "=v ";
    REQUIRE(!line.parse(many.c_str()).is_error());
    CHECK(line.size() == CommandLine::max_entries);
    CHECK(line.extend("one_more").error().code() == E2BIG);
    CHECK(line.size() == CommandLine::max_entries);
    CHECK_FALSE(line.has("one_more"));

    std::string too_many = many + "last=1";
    CHECK(line.parse(too_many.c_str()).error().code() == E2BIG);
    // The failed parse left the previous contents alone.
    CHECK(line.size() == CommandLine::max_entries);

    // Quotes and '=' do not count against the text limit; the key and value bytes do.
    std::string exact = "k=\"" + std::string(CommandLine::max_text - 1, 'x') + "\"";
    REQUIRE(!line.parse(exact.c_str()).is_error());
    CHECK(line.get("k")->length() == CommandLine::max_text - 1);
    CHECK(line.extend("z").error().code() == E2BIG);
    std::string too_long = "k=" + std::string(CommandLine::max_text, 'x');
    CHECK(line.parse(too_long.c_str()).error().code() == E2BIG);
    CHECK(line.get("k")->length() == CommandLine::max_text - 1);
}

TEST_CASE("the parsed text is a copy", "[cmdline]")
{
    CommandLine line;
    {
        std::string source = "test=copied";
        REQUIRE(!line.parse(source.c_str()).is_error());
        source.assign(source.size(), '#');
    }
    CHECK(get_string(line, "test") == "copied");
}
