// The TTY line discipline (kernel/tty/ldisc.cpp): canonical editing (erase, kill, word
// erase, EOF), echo with "\b \b" and ^X, CR -> NL, raw mode, switching modes, partial reads,
// full buffers, and output processing (ONLCR) with column tracking.
#include "support.h"
#include "../../kernel/tty/ldisc.h"
#include <optional>
#include <string>
#include <vector>

namespace {

using tty::LineDiscipline;
using tty::Termios;

struct Ldisc {
    LineDiscipline ld;
    std::string echo;

    explicit Ldisc(Termios const& t = Termios {}) { ld.set_termios(t); }

    void type(std::string const& text)
    {
        for (char c : text)
            ld.receive(u8(c));
        u8 buffer[64];
        while (usize n = ld.take_echo(Span<u8>(buffer, sizeof(buffer))))
            echo.append(reinterpret_cast<char const*>(buffer), n);
    }

    std::optional<std::string> read(usize capacity = 512)
    {
        std::vector<u8> buffer(capacity);
        auto got = ld.read(Span<u8>(buffer.data(), buffer.size()));
        if (!got.has_value())
            return std::nullopt;
        return std::string(reinterpret_cast<char const*>(buffer.data()), *got);
    }

    std::string output(std::string const& text)
    {
        std::vector<u8> out(text.size() * 2 + 1);
        auto in = Span<u8 const>(reinterpret_cast<u8 const*>(text.data()), text.size());
        auto result = ld.process_output(in, Span<u8>(out.data(), out.size()));
        REQUIRE(result.consumed == text.size());
        return std::string(reinterpret_cast<char const*>(out.data()), result.produced);
    }
};

Termios raw_no_echo()
{
    Termios t;
    t.canonical = false;
    t.echo = false;
    return t;
}

std::string repeat(std::string const& s, int n)
{
    std::string out;
    for (int i = 0; i < n; ++i)
        out += s;
    return out;
}

}

TEST_CASE("canonical mode hands out whole lines and echoes them", "[tty]")
{
    Ldisc t;
    t.type("hel");
    CHECK_FALSE(t.ld.readable());
    CHECK_FALSE(t.read().has_value());
    t.type("lo\n");
    CHECK(t.ld.readable());
    CHECK(t.read() == "hello\n");
    CHECK(t.echo == "hello\r\n");   // ONLCR applies to echo as well
    CHECK_FALSE(t.read().has_value());
    CHECK(t.ld.stats().lines == 1);
}

TEST_CASE("erase with DEL and BS removes the last character", "[tty]")
{
    Ldisc t;
    t.type("ls\x7f\x7fhelp\n");
    CHECK(t.read() == "help\n");
    CHECK(t.echo == "ls\b \b\b \bhelp\r\n");
    Ldisc u;
    u.type("ab\bc\n");
    CHECK(u.read() == "ac\n");
    CHECK(u.echo == "ab\b \bc\r\n");
    Ldisc v;
    v.type("\x7f\x7fx\n");   // nothing to erase: no echo either
    CHECK(v.read() == "x\n");
    CHECK(v.echo == "x\r\n");
}

TEST_CASE("^U kills the line, ^W the last word", "[tty]")
{
    Ldisc t;
    t.type("junk\x15ok\n");
    CHECK(t.read() == "ok\n");
    CHECK(t.echo == "junk" + repeat("\b \b", 4) + "ok\r\n");

    Ldisc w;
    w.type("one two  \x17three\n");
    CHECK(w.read() == "one three\n");
    CHECK(w.echo == "one two  " + repeat("\b \b", 5) + "three\r\n");
    w.type("\x17\x17x\n");   // on an empty line: nothing happens
    CHECK(w.read() == "x\n");
}

TEST_CASE("^D: end of file on an empty line, end of line after text", "[tty]")
{
    Ldisc t;
    t.type("\x04");
    CHECK(t.read() == "");   // 0 bytes: end of file
    CHECK_FALSE(t.read().has_value());
    t.type("abc\x04");
    CHECK(t.read() == "abc");   // no newline added
    t.type("\x04" "def\n");
    CHECK(t.read() == "");
    CHECK(t.read() == "def\n");
    CHECK(t.echo == "abcdef\r\n");   // ^D itself is not echoed
}

TEST_CASE("CR becomes NL with ICRNL, stays CR without", "[tty]")
{
    Ldisc t;
    t.type("abc\r");
    CHECK(t.read() == "abc\n");
    Termios no_crnl;
    no_crnl.crnl = false;
    Ldisc u(no_crnl);
    u.type("a\rb\n");
    CHECK(u.read() == "a\rb\n");
}

TEST_CASE("a read smaller than the line takes the line in pieces", "[tty]")
{
    Ldisc t;
    t.type("hello\nworld\n");
    CHECK(t.read(3) == "hel");
    CHECK(t.read(3) == "lo\n");
    CHECK(t.read(100) == "world\n");   // one line per read
    CHECK_FALSE(t.read().has_value());
}

TEST_CASE("several complete lines come one per read", "[tty]")
{
    Ldisc t;
    t.type("a\nb\n\nc");
    CHECK(t.read() == "a\n");
    CHECK(t.read() == "b\n");
    CHECK(t.read() == "\n");
    CHECK_FALSE(t.read().has_value());   // "c" is still being edited
}

TEST_CASE("control characters echo as ^X and erase two columns", "[tty]")
{
    Ldisc t;
    t.type("a\x03\x7f" "b\n");
    CHECK(t.read() == "ab\n");
    CHECK(t.echo == "a^C\b \b\b \bb\r\n");
    Ldisc esc;
    esc.type("\x1b[A\n");
    CHECK(esc.read() == "\x1b[A\n");
    CHECK(esc.echo == "^[[A\r\n");
}

TEST_CASE("erasing a tab backs up to where the tab started", "[tty]")
{
    Ldisc t;
    t.type("ab\t");
    CHECK(t.ld.column() == 8);
    t.type("\x7f");
    CHECK(t.ld.column() == 2);
    CHECK(t.echo == "ab\t\b\b\b\b\b\b");
    t.type("c\n");
    CHECK(t.read() == "abc\n");

    // The line need not start at column 0: a prompt written before it counts.
    Ldisc p;
    CHECK(p.output("prompt> ") == "prompt> ");
    p.type("x\t\x7f");
    CHECK(p.ld.column() == 9);
}

TEST_CASE("without ECHO nothing is echoed, editing still works", "[tty]")
{
    Termios t;
    t.echo = false;
    Ldisc q(t);
    q.type("secret\x7f\x7fxx\n");
    CHECK(q.read() == "secrxx\n");
    CHECK(q.echo.empty());
}

TEST_CASE("without ECHOE the erase and kill characters are shown", "[tty]")
{
    Termios t;
    t.echo_erase = false;
    Ldisc q(t);
    q.type("ab\x7f\n");
    CHECK(q.read() == "a\n");
    CHECK(q.echo == "ab^?\r\n");
    q.echo.clear();
    q.type("xyz\x15ok\n");
    CHECK(q.read() == "ok\n");
    CHECK(q.echo == "xyz^U\r\nok\r\n");
}

TEST_CASE("raw mode passes every byte through at once", "[tty]")
{
    Ldisc t(raw_no_echo());
    CHECK_FALSE(t.read().has_value());
    t.type("\x7f\x15\x04q\r");
    CHECK(t.ld.readable());
    CHECK(t.read(2) == "\x7f\x15");
    CHECK(t.read() == "\x04q\n");   // ICRNL still applies
    CHECK(t.echo.empty());
    CHECK_FALSE(t.read().has_value());

    Termios echoing = raw_no_echo();
    echoing.echo = true;
    Ldisc e(echoing);
    e.type("a\x01");
    CHECK(e.read() == "a\x01");
    CHECK(e.echo == "a^A");
}

TEST_CASE("switching modes keeps typed-ahead input", "[tty]")
{
    Ldisc t;
    t.type("done\npartial");
    t.ld.set_termios(raw_no_echo());
    CHECK(t.read() == "done\npartial");   // raw: everything, the edit line included
    t.type("xyz");
    t.ld.set_termios(Termios {});
    CHECK(t.read() == "xyz");   // canonical again: what came raw is one piece
    t.type("next\n");
    CHECK(t.read() == "next\n");
}

TEST_CASE("a line longer than LINE_CAPACITY is cut, the newline still ends it", "[tty]")
{
    Ldisc t;
    t.type(std::string(300, 'x') + "\n");
    auto line = t.read(1024);
    REQUIRE(line.has_value());
    CHECK(line->size() == LineDiscipline::LINE_CAPACITY + 1);
    CHECK(line->back() == '\n');
    CHECK(t.ld.stats().dropped == 300 - LineDiscipline::LINE_CAPACITY);
}

TEST_CASE("MAX_LINES unread lines fill the discipline until one is read", "[tty]")
{
    Ldisc t;
    for (usize i = 0; i < LineDiscipline::MAX_LINES; ++i)
        t.type("l\n");
    CHECK(t.ld.room() == 0);
    t.type("lost\n");
    CHECK(t.ld.stats().dropped == 5);
    CHECK(t.read() == "l\n");
    CHECK(t.ld.room() > 0);
    t.type("kept\n");
    for (usize i = 1; i < LineDiscipline::MAX_LINES; ++i)
        CHECK(t.read() == "l\n");
    CHECK(t.read() == "kept\n");
}

TEST_CASE("raw mode stops storing when the buffer is full", "[tty]")
{
    Ldisc t(raw_no_echo());
    t.type(std::string(LineDiscipline::BUFFER_CAPACITY + 10, 'r'));
    CHECK(t.ld.room() == 0);
    CHECK(t.ld.stats().dropped == 10);
    CHECK(t.read(LineDiscipline::BUFFER_CAPACITY + 10)->size() == LineDiscipline::BUFFER_CAPACITY);
}

TEST_CASE("output processing: ONLCR and the column", "[tty]")
{
    Ldisc t;
    CHECK(t.output("a\nb") == "a\r\nb");
    CHECK(t.ld.column() == 1);
    CHECK(t.output("\tx\b") == "\tx\b");
    CHECK(t.ld.column() == 8);
    Termios no_onlcr;
    no_onlcr.onlcr = false;
    Ldisc u(no_onlcr);
    CHECK(u.output("a\nb") == "a\nb");

    // A "\r\n" pair is never split across two output buffers.
    u8 out[2];
    auto in = Span<u8 const>(reinterpret_cast<u8 const*>("x\n"), 2);
    auto result = t.ld.process_output(in, Span<u8>(out, 2));
    CHECK(result.consumed == 1);
    CHECK(result.produced == 1);
}

TEST_CASE("the echo queue keeps what it can and counts the rest", "[tty]")
{
    Ldisc t;
    for (int i = 0; i < 300; ++i)   // 300 x (255 chars + ^U erase) without taking echo
        for (char c : std::string(200, 'e') + "\x15")
            t.ld.receive(u8(c));
    CHECK(t.ld.stats().echo_dropped > 0);
    u8 buffer[4096];
    CHECK(t.ld.take_echo(Span<u8>(buffer, sizeof(buffer))) == LineDiscipline::ECHO_CAPACITY);
}

// --- the push model's side: when the TTY stops feeding (throttles), and echo sent in steps --------

TEST_CASE("raw mode accepts until the buffer is full", "[tty][ldisc]")
{
    Ldisc t(raw_no_echo());
    t.type(std::string(LineDiscipline::BUFFER_CAPACITY - 1, 'r'));
    CHECK(t.ld.accepting());
    t.type("r");
    CHECK_FALSE(t.ld.accepting());
    CHECK(t.read(10)->size() == 10);
    CHECK(t.ld.accepting());
}

TEST_CASE("canonical mode stops accepting when waiting lines leave no room for a whole line", "[tty][ldisc]")
{
    Ldisc t;
    std::string const line(100, 'x');
    int lines = 0;
    while (t.ld.accepting() && lines < 100) {
        t.type(line + "\n");
        ++lines;
    }
    // 101 bytes a line: the eighth leaves fewer than LINE_CAPACITY + 2 bytes free.
    CHECK(lines == 8);
    CHECK(t.ld.stats().dropped == 0);
    CHECK(t.read()->size() == 101);   // a reader makes room
    CHECK(t.ld.accepting());
}

TEST_CASE("a long edit line never stops input: its newline must still get in", "[tty][ldisc]")
{
    Ldisc t;
    t.type(std::string(LineDiscipline::LINE_CAPACITY + 40, 'y'));
    CHECK(t.ld.accepting());            // the excess was dropped and counted instead
    CHECK(t.ld.stats().dropped == 40);
    t.type("\n");
    CHECK(t.read()->size() == LineDiscipline::LINE_CAPACITY + 1);
}

TEST_CASE("echo can be sent in steps: peek, then consume what the port took", "[tty][ldisc]")
{
    LineDiscipline ld;
    for (char c : std::string("abc\n"))
        ld.receive(u8(c));
    u8 buffer[8];
    usize const offered = ld.peek_echo(Span<u8>(buffer, sizeof(buffer)));
    CHECK(std::string(reinterpret_cast<char*>(buffer), offered) == "abc\r\n");
    ld.consume_echo(2);   // the port took "ab"
    usize const rest = ld.peek_echo(Span<u8>(buffer, sizeof(buffer)));
    CHECK(std::string(reinterpret_cast<char*>(buffer), rest) == "c\r\n");
    ld.consume_echo(100);   // more than there is: everything, nothing more
    CHECK_FALSE(ld.has_echo());
}
