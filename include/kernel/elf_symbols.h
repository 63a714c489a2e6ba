#pragma once
// Symbolizing addresses ("ata_irq+0x1c") from an ELF64 symbol table, for panics, backtraces
// and the monitor. The kernel gets its own table from the multiboot2 ELF-sections tag: GRUB
// loads every section, including the non-allocated .symtab and .strtab, and sets their sh_addr
// to the physical address it put them at.
//
// The ELF types follow the System V gABI ("Sections", "Symbol Table") with the spec's names,
// so they can be looked up there. They clash with glibc's <elf.h> macros: do not include both.
// Everything read from the tables is treated as untrusted: names are bounds-checked against
// the string table, and malformed entries are skipped.
// Context: any (lookups only read memory; no allocation, no locks).
#include <kstd/error.h>
#include <kstd/function.h>
#include <kstd/optional.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>

struct Elf64_Ehdr {
    u8 e_ident[16];
    u16 e_type;
    u16 e_machine;
    u32 e_version;
    u64 e_entry;
    u64 e_phoff;
    u64 e_shoff;
    u32 e_flags;
    u16 e_ehsize;
    u16 e_phentsize;
    u16 e_phnum;
    u16 e_shentsize;
    u16 e_shnum;
    u16 e_shstrndx;
};
static_assert(sizeof(Elf64_Ehdr) == 64);

struct Elf64_Shdr {
    u32 sh_name;
    u32 sh_type;
    u64 sh_flags;
    u64 sh_addr;
    u64 sh_offset;
    u64 sh_size;
    u32 sh_link; // for SHT_SYMTAB: the index of its string table
    u32 sh_info;
    u64 sh_addralign;
    u64 sh_entsize;
};
static_assert(sizeof(Elf64_Shdr) == 64);

struct Elf64_Sym {
    u32 st_name; // offset into the linked string table
    u8 st_info;  // type (low 4 bits) and binding (high 4 bits)
    u8 st_other;
    u16 st_shndx;
    u64 st_value;
    u64 st_size;
};
static_assert(sizeof(Elf64_Sym) == 24);

inline constexpr u32 SHT_SYMTAB = 2;
inline constexpr u32 SHT_STRTAB = 3;
inline constexpr u16 SHN_UNDEF = 0;
inline constexpr u16 SHN_LORESERVE = 0xff00; // ABS, COMMON, ...: not an address in a section
inline constexpr u8 STT_NOTYPE = 0;
inline constexpr u8 STT_OBJECT = 1;
inline constexpr u8 STT_FUNC = 2;

constexpr u8 elf64_st_type(u8 info) { return info & 0xf; }
constexpr u8 elf64_st_bind(u8 info) { return info >> 4; }

struct Symbol {
    StringView name; // points into the string table
    u64 start;       // st_value
    u64 offset;      // the looked-up address minus start
    u64 size;        // st_size (0 if unknown)
};

class SymbolTable {
public:
    // An empty table: every lookup fails.
    SymbolTable() = default;
    // A view of `symbols` and the string table they refer to; nothing is copied, so both must
    // outlive the SymbolTable.
    SymbolTable(kstd::Span<Elf64_Sym const> symbols, char const* strings, usize strings_size);

    // Returns the memory holding a section's contents, or nullptr if it is not available.
    using SectionMapper = kstd::Function<void const*(Elf64_Shdr const&)>;

    // Finds the SHT_SYMTAB section and its string table (its sh_link) in `sections`.
    // Errors: ENOENT (no symbol table), EINVAL (malformed headers), EFAULT (mapper said no).
    static ErrorOr<SymbolTable> from_section_headers(kstd::Span<Elf64_Shdr const> sections,
        SectionMapper const& map);
    // The same for headers whose sh_addr gives each section's location as an address that
    // becomes a pointer by adding `address_offset` (GRUB: physical, so the direct-map base).
    static ErrorOr<SymbolTable> from_section_headers(kstd::Span<Elf64_Shdr const> sections,
        u64 address_offset);

    // The function containing `address`: among FUNC and untyped (assembly label) symbols
    // defined in a section, the one with the greatest start <= address that still covers it,
    // i.e. address < start + size, where a size of 0 (most assembly labels) covers everything
    // up to the next symbol. At equal starts a FUNC wins over an untyped symbol.
    kstd::Optional<Symbol> lookup(u64 address) const;
    // The value (address) of the first defined symbol called `name`.
    kstd::Optional<u64> find(StringView name) const;

    usize symbol_count() const { return m_symbols.size(); }
    bool is_empty() const { return m_symbols.empty(); }

private:
    StringView name_of(Elf64_Sym const& symbol) const;

    kstd::Span<Elf64_Sym const> m_symbols;
    char const* m_strings { "" };
    usize m_strings_size { 0 };
};
