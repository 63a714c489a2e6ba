// The kernel's symbol table, from the section headers GRUB passed in the multiboot2 ELF-sections
// tag. GRUB loaded .symtab and .strtab into RAM (they are not allocated sections, so they are not
// part of the image proper) and set their sh_addr to those physical addresses.
#include <arch/backtrace.h>
#include <kernel/demangle.h>
#include <kernel/elf_symbols.h>
#include <kernel/mm/layout.h>
#include <kernel/printk.h>
#include <kernel/symbols.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace symbols {

namespace {
SymbolTable g_table;
constexpr usize MAX_FRAMES = 32;
}

void init(BootInfo const& info)
{
    if (info.elf_section_count == 0 || info.elf_section_entsize != sizeof(Elf64_Shdr)) {
        log_warn("symbols: no ELF section headers from the boot loader; backtraces show addresses only\n");
        return;
    }
    auto const* headers = mm::phys_to_ptr<Elf64_Shdr const>(info.elf_sections_phys);
    auto table = SymbolTable::from_section_headers(
        kstd::Span<Elf64_Shdr const>(headers, info.elf_section_count), mm::PHYS_MAP_BASE);
    if (table.is_error()) {
        log_warn("symbols: no usable symbol table (%s); backtraces show addresses only\n", table.error().name());
        return;
    }
    g_table = table.release_value();
}

bool available() { return !g_table.is_empty(); }
usize count() { return g_table.symbol_count(); }

void describe(u64 address, char* out, usize capacity)
{
    auto symbol = g_table.lookup(address);
    if (!symbol.has_value()) {
        kstd::snprintf(out, capacity, "0x%lx", address);
        return;
    }
    // C++ names are shown demangled without their parameter list ("ktest::run_one"); a name
    // the demangler does not understand is shown as the linker sees it.
    char name[96];
    if (demangle_name(symbol->name, name, sizeof(name))) {
        kstd::snprintf(out, capacity, "%s+0x%lx", name, symbol->offset);
        return;
    }
    kstd::snprintf(out, capacity, "%.*s+0x%lx", int(symbol->name.length()), symbol->name.characters(),
                   symbol->offset);
}

u64 function_start(u64 address)
{
    auto symbol = g_table.lookup(address);
    return symbol.has_value() ? symbol->start : 0;
}

u64 address_of(char const* name)
{
    auto address = g_table.find(kstd::StringView(name));
    return address.has_value() ? *address : 0;
}

void print_backtrace(u64 const* addresses, usize count, bool first_is_pc)
{
    char text[128];
    for (usize i = 0; i < count; ++i) {
        // A return address points after the call; describe the call instruction itself so a call
        // to a [[noreturn]] function at the very end of its caller is not attributed to the next
        // function in memory.
        u64 lookup = (i == 0 && first_is_pc) ? addresses[i] : addresses[i] - 1;
        describe(lookup, text, sizeof(text));
        kprint("  #%zu %016lx %s\n", i, addresses[i], text);
    }
    if (count == 0)
        kprint("  (no frames)\n");
}

[[gnu::noinline]] void print_current_backtrace()
{
    u64 frames[MAX_FRAMES];
    usize n = arch::capture_backtrace(arch::current_frame_pointer(), frames, MAX_FRAMES);
    print_backtrace(frames, n);
}

}
