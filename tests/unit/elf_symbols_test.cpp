// SymbolTable over a hand-built table (including garbage entries), section header discovery
// and its errors, and the real symbol table of this test binary read from /proc/self/exe.
#include "support.h"
#include <kernel/elf_symbols.h>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

// Two functions whose addresses the test knows, with unmangled names.
extern "C" __attribute__((noinline, used)) int conduit_test_anchor_a(int x) { return x * 3 + 1; }
extern "C" __attribute__((noinline, used)) int conduit_test_anchor_b(int x) { return x * 5 + 2; }

namespace {

constexpr u16 text_section = 1;
constexpr u16 shn_abs = 0xfff1;

Elf64_Sym symbol(u32 name, u8 type, u16 section, u64 value, u64 size)
{
    return Elf64_Sym { name, u8((1 << 4) | type), 0, section, value, size };
}

// String table: offsets 1 foo, 5 bar, 9 label, 15 data, 20 abs, 24 undef, 30 alias, 36 cut.
// "cut" is the last name and its NUL lies outside the size we report, so it must be ignored.
char const strings[] = "\0foo\0bar\0label\0data\0abs\0undef\0alias\0cut";
constexpr usize strings_size = sizeof(strings) - 1; // drop the final NUL

struct FakeTable {
    std::vector<Elf64_Sym> symbols {
        Elf64_Sym {},                                       // index 0 is always the null symbol
        symbol(1, STT_FUNC, text_section, 0x1000, 0x100),   // foo
        symbol(5, STT_FUNC, text_section, 0x1100, 0x80),    // bar
        symbol(9, STT_NOTYPE, text_section, 0x2000, 0),     // label (assembly, no size)
        symbol(15, STT_OBJECT, 2, 0x1050, 8),               // data: found by name, never by address
        symbol(20, STT_NOTYPE, shn_abs, 0x1fff, 0),         // abs: not an address in a section
        symbol(24, STT_FUNC, SHN_UNDEF, 0, 0),              // undef: an import
        symbol(30, STT_NOTYPE, text_section, 0x1000, 0),    // alias: same start as foo
        symbol(36, STT_FUNC, text_section, 0x1120, 4),      // cut: unterminated name
        symbol(100000, STT_FUNC, text_section, 0x1130, 4),  // name offset out of range
    };
    SymbolTable table { symbols, strings, strings_size };
};

std::string name_at(SymbolTable const& table, u64 address)
{
    auto found = table.lookup(address);
    if (!found.has_value())
        return "<none>";
    return std::string(found->name.characters(), found->name.length()) + "+" + std::to_string(found->offset);
}

}

TEST_CASE("lookup picks the covering function", "[elf_symbols]")
{
    FakeTable fake;
    SymbolTable const& table = fake.table;
    CHECK(table.symbol_count() == fake.symbols.size());
    CHECK(name_at(table, 0x1000) == "foo+0");
    CHECK(name_at(table, 0x10ff) == "foo+255");
    CHECK(name_at(table, 0x1100) == "bar+0");
    // Garbage-named symbols inside bar are ignored.
    CHECK(name_at(table, 0x1121) == "bar+33");
    CHECK(name_at(table, 0x1131) == "bar+49");
    // Past bar's end, the nearest preceding unsized symbol covers it.
    CHECK(name_at(table, 0x1180) == "alias+384");
    CHECK(name_at(table, 0x2000) == "label+0");
    CHECK(name_at(table, 0x2010) == "label+16");
    CHECK(name_at(table, 0xfff) == "<none>");
    CHECK(name_at(table, 0) == "<none>");

    auto symbol = table.lookup(0x1010);
    REQUIRE(symbol.has_value());
    CHECK(symbol->start == 0x1000);
    CHECK(symbol->size == 0x100);
}

TEST_CASE("find returns the address of a defined symbol", "[elf_symbols]")
{
    FakeTable fake;
    CHECK(*fake.table.find("foo") == 0x1000);
    CHECK(*fake.table.find("bar") == 0x1100);
    CHECK(*fake.table.find("data") == 0x1050);
    CHECK(*fake.table.find("label") == 0x2000);
    CHECK_FALSE(fake.table.find("undef").has_value());
    CHECK_FALSE(fake.table.find("abs").has_value());
    CHECK_FALSE(fake.table.find("cut").has_value());
    CHECK_FALSE(fake.table.find("missing").has_value());
    CHECK_FALSE(fake.table.find("").has_value());
    CHECK_FALSE(fake.table.find("fo").has_value());
}

TEST_CASE("an empty table finds nothing", "[elf_symbols]")
{
    SymbolTable table;
    CHECK(table.is_empty());
    CHECK_FALSE(table.lookup(0x1000).has_value());
    CHECK_FALSE(table.find("foo").has_value());
}

TEST_CASE("from_section_headers locates .symtab and its .strtab", "[elf_symbols]")
{
    FakeTable fake;
    std::vector<Elf64_Shdr> sections(4, Elf64_Shdr {});
    sections[1].sh_type = 1; // PROGBITS
    auto& symtab = sections[2];
    symtab.sh_type = SHT_SYMTAB;
    symtab.sh_link = 3;
    symtab.sh_entsize = sizeof(Elf64_Sym);
    symtab.sh_size = fake.symbols.size() * sizeof(Elf64_Sym);
    auto& strtab = sections[3];
    strtab.sh_type = SHT_STRTAB;
    strtab.sh_size = strings_size;

    // GRUB style: sh_addr plus a fixed offset (here an arbitrary one) gives a pointer.
    constexpr u64 offset = 0x10000;
    symtab.sh_addr = reinterpret_cast<uptr>(fake.symbols.data()) - offset;
    strtab.sh_addr = reinterpret_cast<uptr>(strings) - offset;
    auto table = SymbolTable::from_section_headers(sections, offset);
    REQUIRE(!table.is_error());
    CHECK(name_at(table.value(), 0x1104) == "bar+4");

    SECTION("no symbol table") {
        symtab.sh_type = 1;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == ENOENT);
        CHECK(SymbolTable::from_section_headers({}, offset).error().code() == ENOENT);
    }
    SECTION("sh_link out of range") {
        symtab.sh_link = 4;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EINVAL);
    }
    SECTION("sh_link to a section that is not a string table") {
        symtab.sh_link = 1;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EINVAL);
    }
    SECTION("wrong entry size") {
        symtab.sh_entsize = 16;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EINVAL);
    }
    SECTION("size not a multiple of the entry size") {
        symtab.sh_size -= 1;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EINVAL);
    }
    SECTION("absurd size") {
        strtab.sh_size = u64(1) << 40;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EINVAL);
    }
    SECTION("section not loaded") {
        strtab.sh_addr = 0;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EFAULT);
    }
    SECTION("misaligned symbols") {
        symtab.sh_addr += 1;
        CHECK(SymbolTable::from_section_headers(sections, offset).error().code() == EINVAL);
    }
}

TEST_CASE("the symbol table of this test binary", "[elf_symbols]")
{
    // Read only the pieces we need: with DWARF and ASan the binary is tens of megabytes.
    std::ifstream file("/proc/self/exe", std::ios::binary);
    REQUIRE(file);
    std::vector<std::vector<u64>> chunks; // u64 storage keeps headers and symbols aligned
    auto read_at = [&](u64 offset, u64 size) -> void const* {
        chunks.emplace_back((size + 7) / 8);
        file.seekg(std::streamoff(offset));
        file.read(reinterpret_cast<char*>(chunks.back().data()), std::streamsize(size));
        return file ? chunks.back().data() : nullptr;
    };

    auto const* header = static_cast<Elf64_Ehdr const*>(read_at(0, sizeof(Elf64_Ehdr)));
    REQUIRE(header != nullptr);
    REQUIRE(std::memcmp(header->e_ident, "\x7f" "ELF", 4) == 0);
    REQUIRE(header->e_shentsize == sizeof(Elf64_Shdr));
    auto const* headers = static_cast<Elf64_Shdr const*>(
        read_at(header->e_shoff, u64(header->e_shnum) * sizeof(Elf64_Shdr)));
    REQUIRE(headers != nullptr);
    Span<Elf64_Shdr const> sections(headers, header->e_shnum);

    // A file on disk: a section's contents are at sh_offset, not at sh_addr.
    auto table = SymbolTable::from_section_headers(sections, [&](Elf64_Shdr const& section) {
        return read_at(section.sh_offset, section.sh_size);
    });
    REQUIRE(!table.is_error());
    SymbolTable const& symbols = table.value();
    CHECK(symbols.symbol_count() > 100);

    // The binary is position-independent: learn the load bias from one anchor, check another.
    auto a = symbols.find("conduit_test_anchor_a");
    auto b = symbols.find("conduit_test_anchor_b");
    REQUIRE(a.has_value());
    REQUIRE(b.has_value());
    u64 bias = reinterpret_cast<uptr>(&conduit_test_anchor_a) - *a;
    CHECK(*b + bias == reinterpret_cast<uptr>(&conduit_test_anchor_b));

    auto found = symbols.lookup(reinterpret_cast<uptr>(&conduit_test_anchor_b) - bias + 2);
    REQUIRE(found.has_value());
    CHECK(found->name == "conduit_test_anchor_b");
    CHECK(found->offset == 2);
    CHECK(found->size > 2);
    CHECK(symbols.find("main").has_value());

    // Keep the anchors' code honest (and referenced).
    CHECK(conduit_test_anchor_a(1) == 4);
    CHECK(conduit_test_anchor_b(1) == 7);
}
