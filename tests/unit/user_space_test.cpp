// The portable parts of user space: reading the initrd's ustar archive (built here with the
// host's layout rules, corrupted in the ways a broken build or a hostile file could), checking a
// program's ELF headers before anything is mapped, and recognising the port-I/O instruction a
// #GP stopped at.
#include "support.h"
#include "../../arch/x86_64/io_instruction.h"
#include "../../kernel/proc/elf_image.h"
#include "../../kernel/proc/tar_archive.h"
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

// --- ustar --------------------------------------------------------------------------------

void put_octal(char* field, size_t size, uint64_t value)
{
    std::snprintf(field, size, "%0*llo", int(size - 1), (unsigned long long)value);
}

// `declared_size` (when not -1) is what the header claims, with a checksum that matches it.
void add_entry(std::vector<uint8_t>& archive, std::string const& name, std::string const& data, char type = '0',
               int64_t declared_size = -1)
{
    uint8_t header[512] = {};
    std::memcpy(header, name.data(), name.size());
    put_octal(reinterpret_cast<char*>(header + 100), 8, 0755);
    put_octal(reinterpret_cast<char*>(header + 124), 12, declared_size < 0 ? data.size() : uint64_t(declared_size));
    header[156] = uint8_t(type);
    std::memcpy(header + 257, "ustar", 6);
    std::memcpy(header + 263, "00", 2);
    std::memset(header + 148, ' ', 8);
    unsigned sum = 0;
    for (uint8_t byte : header)
        sum += byte;
    std::snprintf(reinterpret_cast<char*>(header + 148), 8, "%06o", sum);
    archive.insert(archive.end(), header, header + 512);
    archive.insert(archive.end(), data.begin(), data.end());
    archive.resize((archive.size() + 511) / 512 * 512, 0);
}

std::vector<uint8_t> sample_archive()
{
    std::vector<uint8_t> archive;
    add_entry(archive, "bin/", "", '5');
    add_entry(archive, "bin/cat", "CAT PROGRAM");
    add_entry(archive, "./bin/sh", std::string(700, 's'));
    archive.resize(archive.size() + 1024, 0);   // the end marker
    return archive;
}

std::string text_of(ReadonlyBytes bytes) { return std::string(reinterpret_cast<char const*>(bytes.data()), bytes.size()); }

// --- ELF ----------------------------------------------------------------------------------

struct ElfBuilder {
    Elf64_Ehdr header {};
    std::vector<Elf64_Phdr> segments;
    size_t file_size { 0x3000 };

    ElfBuilder()
    {
        std::memcpy(header.e_ident, "\x7f" "ELF", 4);
        header.e_ident[4] = 2;   // 64-bit
        header.e_ident[5] = 1;   // little-endian
        header.e_ident[6] = 1;
        header.e_type = 2;       // ET_EXEC
        header.e_machine = 62;   // x86_64
        header.e_entry = 0x400010;
        header.e_phoff = sizeof(Elf64_Ehdr);
        header.e_phentsize = sizeof(Elf64_Phdr);
        segments.push_back({ 1, 5, 0x1000, 0x400000, 0x400000, 0x100, 0x100, 0x1000 });     // text R X
        segments.push_back({ 1, 6, 0x2000, 0x402000, 0x402000, 0x10, 0x2000, 0x1000 });     // data+bss R W
    }
    std::vector<uint8_t> bytes()
    {
        header.e_phnum = uint16_t(segments.size());
        std::vector<uint8_t> file(file_size, 0);
        std::memcpy(file.data(), &header, sizeof(header));
        // The headers always sit after the ELF header; a test may point e_phoff elsewhere.
        std::memcpy(file.data() + sizeof(Elf64_Ehdr), segments.data(), segments.size() * sizeof(Elf64_Phdr));
        return file;
    }
};

constexpr uint64_t LOWEST = 0x400000, HIGHEST = 0x0000100000000000;

std::string refusal(ElfBuilder& builder)
{
    auto file = builder.bytes();
    char const* why = "";
    auto image = proc::ElfImage::parse(ReadonlyBytes(file.data(), file.size()), LOWEST, HIGHEST, &why);
    if (!image.is_error())
        return "accepted";
    CHECK(image.error().code() == ENOEXEC);
    return why;
}

arch::IoInstruction decode(std::vector<uint8_t> const& bytes)
{
    return arch::decode_io_instruction(kstd::Span<u8 const>(bytes.data(), bytes.size()));
}

}

TEST_CASE("the initrd archive: files are found by name, in order, with their bytes", "[user][tar]")
{
    auto bytes = sample_archive();
    proc::TarArchive archive(ReadonlyBytes(bytes.data(), bytes.size()));
    REQUIRE(archive.validate().value() == 2);   // the directory entry is not a file
    auto cat = archive.find(StringView("bin/cat"));
    REQUIRE(cat.has_value());
    CHECK(text_of(cat->data) == "CAT PROGRAM");
    auto sh = archive.find(StringView("bin/sh"));   // stored as "./bin/sh"
    REQUIRE(sh.has_value());
    CHECK(sh->data.size() == 700);
    CHECK_FALSE(archive.find(StringView("bin/ca")).has_value());
    CHECK(archive.file_at(0)->name == StringView("bin/cat"));
    CHECK(archive.file_at(1)->name == StringView("bin/sh"));
    CHECK_FALSE(archive.file_at(2).has_value());
}

TEST_CASE("the initrd archive: corruption is refused, not followed", "[user][tar]")
{
    auto good = sample_archive();
    SECTION("a flipped byte breaks the header checksum")
    {
        good[512 + 10] ^= 1;   // in bin/cat's name
    }
    SECTION("a size that runs past the end of the archive (the checksum is right)")
    {
        good.clear();
        add_entry(good, "bin/cat", "CAT", '0', 1 << 20);
        good.resize(good.size() + 1024, 0);
    }
    SECTION("not ustar at all")
    {
        std::memset(good.data() + 512 + 257, 'x', 5);
    }
    proc::TarArchive archive(ReadonlyBytes(good.data(), good.size()));
    CHECK(archive.validate().is_error());
    CHECK_FALSE(archive.find(StringView("bin/sh")).has_value());
}

TEST_CASE("a valid static executable gives its segments, page-aligned, with W^X flags", "[user][elf]")
{
    ElfBuilder builder;
    auto file = builder.bytes();
    auto image = proc::ElfImage::parse(ReadonlyBytes(file.data(), file.size()), LOWEST, HIGHEST);
    REQUIRE_FALSE(image.is_error());
    CHECK(image.value().entry() == 0x400010);
    auto segments = image.value().segments();
    REQUIRE(segments.size() == 2);
    CHECK(segments[0].vaddr == 0x400000);
    CHECK(segments[0].size == 0x1000);
    CHECK((segments[0].executable && !segments[0].writable));
    CHECK(segments[1].vaddr == 0x402000);
    CHECK(segments[1].size == 0x2000);   // memsz beyond filesz: zero-filled .bss
    CHECK(segments[1].data.size() == 0x10);
    CHECK((segments[1].writable && !segments[1].executable));
}

TEST_CASE("ELF files the loader must refuse, each with its reason", "[user][elf]")
{
    ElfBuilder builder;
    SECTION("bad magic") { builder.header.e_ident[1] = 'X'; CHECK(refusal(builder) == "not an ELF file (bad magic)"); }
    SECTION("32-bit") { builder.header.e_ident[4] = 1; CHECK(refusal(builder) == "not a 64-bit little-endian ELF file"); }
    SECTION("a shared object") { builder.header.e_type = 3; CHECK(refusal(builder).find("not an executable") == 0); }
    SECTION("another machine") { builder.header.e_machine = 183; CHECK(refusal(builder) == "not an x86_64 program"); }
    SECTION("program headers past the end")
    {
        builder.header.e_phoff = 0x2FF0;
        CHECK(refusal(builder) == "program headers missing or outside the file");
    }
    SECTION("file bytes outside the file")
    {
        builder.segments[0].p_filesz = 0x5000;
        builder.segments[0].p_memsz = 0x5000;
        CHECK(refusal(builder) == "a segment's file bytes lie outside the file");
    }
    SECTION("a segment in the kernel half")
    {
        builder.segments[1].p_vaddr = 0xffffffff80000000ull;
        CHECK(refusal(builder) == "a segment lies outside the program area");
    }
    SECTION("a segment below the program area (page 0)")
    {
        builder.segments[1].p_vaddr = 0;
        CHECK(refusal(builder) == "a segment lies outside the program area");
    }
    SECTION("a size that wraps around")
    {
        builder.segments[1].p_memsz = ~uint64_t(0) - 0x1000;
        CHECK(refusal(builder) == "a segment lies outside the program area");
    }
    SECTION("writable and executable") { builder.segments[0].p_flags = 7; CHECK(refusal(builder) == "a segment is writable and executable (W^X)"); }
    SECTION("two segments on one page")
    {
        builder.segments[1].p_vaddr = 0x400800;
        CHECK(refusal(builder) == "two segments share a page");
    }
    SECTION("entry outside the code") { builder.header.e_entry = 0x402000; CHECK(refusal(builder) == "the entry point is not in an executable segment"); }
    SECTION("dynamically linked")
    {
        builder.segments.push_back({ 3, 4, 0x100, 0, 0, 0x10, 0x10, 1 });   // PT_INTERP
        CHECK(refusal(builder) == "dynamically linked; user programs must be static");
    }
    SECTION("no loadable segment")
    {
        builder.segments.clear();
        builder.segments.push_back({ 4, 4, 0, 0, 0, 0, 0, 4 });   // a PT_NOTE only
        CHECK(refusal(builder) == "no loadable segment");
    }
}

TEST_CASE("a denied port access names its port: in/out with immediate or DX, widths, prefixes", "[user][io]")
{
    auto out_dx_byte = decode({ 0xEE });
    CHECK((out_dx_byte.valid && out_dx_byte.access == arch::PortAccess::Out && out_dx_byte.port_in_dx && out_dx_byte.width == 1));
    auto in_imm_word = decode({ 0x66, 0xE5, 0x60 });
    CHECK((in_imm_word.valid && in_imm_word.access == arch::PortAccess::In && !in_imm_word.port_in_dx));
    CHECK(in_imm_word.immediate_port == 0x60);
    CHECK(in_imm_word.width == 2);
    auto in_dx_dword = decode({ 0xED });
    CHECK((in_dx_dword.valid && in_dx_dword.width == 4 && in_dx_dword.access == arch::PortAccess::In));
    auto rep_outsb = decode({ 0xF3, 0x6E });
    CHECK((rep_outsb.valid && rep_outsb.string && rep_outsb.access == arch::PortAccess::Out && rep_outsb.width == 1));
    auto rex_in = decode({ 0x48, 0xEC });
    CHECK((rex_in.valid && rex_in.width == 1));
    CHECK_FALSE(decode({ 0xE4 }).valid);        // the immediate is missing
    CHECK_FALSE(decode({ 0x90 }).valid);        // nop
    CHECK_FALSE(decode({ 0x0F, 0x0B }).valid);  // ud2
    CHECK_FALSE(decode({}).valid);
    std::vector<uint8_t> prefixes(15, 0x66);
    CHECK_FALSE(decode(prefixes).valid);        // 15 prefixes and no opcode: not an instruction
}
