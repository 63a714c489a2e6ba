// ELF64 symbol lookup (see <kernel/elf_symbols.h>). Lookups are linear scans: the table is not
// sorted (sorting would need memory, and a panic must not allocate), and a few thousand
// symbols take microseconds, which is nothing next to printing a backtrace.
#include <kernel/elf_symbols.h>
#include <kstd/enforce.h>

namespace {

// Tables larger than this are taken to be garbage, not a kernel's symbols.
constexpr u64 max_table_size = 64 * MiB;

bool is_defined_in_section(Elf64_Sym const& symbol)
{
    return symbol.st_shndx != SHN_UNDEF && symbol.st_shndx < SHN_LORESERVE;
}

bool is_code_symbol(Elf64_Sym const& symbol)
{
    u8 type = elf64_st_type(symbol.st_info);
    return (type == STT_FUNC || type == STT_NOTYPE) && is_defined_in_section(symbol);
}

// At equal addresses: a function beats an untyped label, and a sized symbol an unsized one.
int preference(Elf64_Sym const& symbol)
{
    return (elf64_st_type(symbol.st_info) == STT_FUNC ? 2 : 0) + (symbol.st_size > 0 ? 1 : 0);
}

bool covers(Elf64_Sym const& symbol, u64 address)
{
    if (symbol.st_value > address)
        return false;
    return symbol.st_size == 0 || address - symbol.st_value < symbol.st_size;
}

}

SymbolTable::SymbolTable(kstd::Span<Elf64_Sym const> symbols, char const* strings, usize strings_size)
    : m_symbols(symbols)
    , m_strings(strings ? strings : "")
    , m_strings_size(strings ? strings_size : 0)
{
}

ErrorOr<SymbolTable> SymbolTable::from_section_headers(kstd::Span<Elf64_Shdr const> sections,
    SectionMapper const& map)
{
    for (auto const& symtab : sections) {
        if (symtab.sh_type != SHT_SYMTAB)
            continue;
        if (symtab.sh_link >= sections.size())
            return Error::from_errno(EINVAL);
        auto const& strtab = sections[symtab.sh_link];
        if (strtab.sh_type != SHT_STRTAB || symtab.sh_entsize != sizeof(Elf64_Sym)
            || symtab.sh_size % sizeof(Elf64_Sym) != 0 || symtab.sh_size > max_table_size
            || strtab.sh_size > max_table_size)
            return Error::from_errno(EINVAL);

        auto const* symbols = static_cast<Elf64_Sym const*>(map(symtab));
        auto const* strings = static_cast<char const*>(map(strtab));
        if (!symbols || !strings)
            return Error::from_errno(EFAULT);
        if (reinterpret_cast<uptr>(symbols) % alignof(Elf64_Sym) != 0)
            return Error::from_errno(EINVAL);
        usize count = symtab.sh_size / sizeof(Elf64_Sym);
        return SymbolTable({ symbols, count }, strings, strtab.sh_size);
    }
    return Error::from_errno(ENOENT);
}

ErrorOr<SymbolTable> SymbolTable::from_section_headers(kstd::Span<Elf64_Shdr const> sections,
    u64 address_offset)
{
    return from_section_headers(sections, [address_offset](Elf64_Shdr const& section) -> void const* {
        if (section.sh_addr == 0)
            return nullptr;
        return reinterpret_cast<void const*>(section.sh_addr + address_offset);
    });
}

// The symbol's name, or "" if st_name points outside the string table or the name is not
// NUL-terminated inside it.
StringView SymbolTable::name_of(Elf64_Sym const& symbol) const
{
    if (symbol.st_name >= m_strings_size)
        return {};
    usize room = m_strings_size - symbol.st_name;
    char const* name = m_strings + symbol.st_name;
    usize length = kstd::strnlen(name, room);
    if (length == room)
        return {};
    return { name, length };
}

kstd::Optional<Symbol> SymbolTable::lookup(u64 address) const
{
    Elf64_Sym const* best = nullptr;
    for (auto const& symbol : m_symbols) {
        if (!is_code_symbol(symbol) || !covers(symbol, address))
            continue;
        if (best && (symbol.st_value < best->st_value
                        || (symbol.st_value == best->st_value && preference(symbol) <= preference(*best))))
            continue;
        // Checked last: it is the most expensive test.
        if (name_of(symbol).is_empty())
            continue;
        best = &symbol;
    }
    if (!best)
        return kstd::nullopt;
    return Symbol { name_of(*best), best->st_value, address - best->st_value, best->st_size };
}

kstd::Optional<u64> SymbolTable::find(StringView name) const
{
    if (name.is_empty())
        return kstd::nullopt;
    for (auto const& symbol : m_symbols) {
        if (is_defined_in_section(symbol) && name_of(symbol) == name)
            return symbol.st_value;
    }
    return kstd::nullopt;
}
