#pragma once
// Reading a user program: an ELF64 executable for x86_64 (System V gABI "ELF Header" and
// "Program Header"; the x86-64 psABI). The loader maps its PT_LOAD segments; everything else
// in the file is ignored except the symbol table, which fault reports use.
//
// The file is untrusted: parse() checks every field the loader relies on and refuses (ENOEXEC)
// anything else, so a corrupt or hostile file cannot make the kernel map outside the program
// area, read past the file, or map a page writable and executable at once. Portable: the host
// unit tests feed it broken headers.
#include <kernel/elf_symbols.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

struct Elf64_Phdr {
    u32 p_type;
    u32 p_flags;
    u64 p_offset;
    u64 p_vaddr;
    u64 p_paddr;
    u64 p_filesz;
    u64 p_memsz;
    u64 p_align;
};
static_assert(sizeof(Elf64_Phdr) == 56);

namespace proc {

struct Segment {
    u64 vaddr;          // page-aligned start of the mapping
    u64 size;           // page-aligned size of the mapping
    u64 data_offset;    // where the file bytes start inside the mapping (p_vaddr - vaddr)
    ReadonlyBytes data; // p_filesz bytes of the file; the rest of the mapping is zero
    bool writable;
    bool executable;
};

class ElfImage {
public:
    static constexpr usize MAX_SEGMENTS = 8;

    // Checks the file and collects its loadable segments. The image must only map addresses in
    // [lowest, highest). ENOEXEC for anything that is not a valid, static x86_64 executable
    // within those bounds (the reason goes to `why`, a static string, for the log).
    static ErrorOr<ElfImage> parse(ReadonlyBytes file, u64 lowest, u64 highest, char const** why = nullptr);

    u64 entry() const { return m_entry; }
    Span<Segment const> segments() const { return { m_segments, m_segment_count }; }
    // The program's own symbols, for naming a faulting RIP; empty when stripped.
    SymbolTable symbols() const;

private:
    ReadonlyBytes m_file;
    u64 m_entry { 0 };
    Segment m_segments[MAX_SEGMENTS] {};
    usize m_segment_count { 0 };
};

}
