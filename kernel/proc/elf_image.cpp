// Parsing and checking a user program's ELF headers (kernel/proc/elf_image.h).
#include "elf_image.h"
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

constexpr u64 PAGE = 4096;
constexpr u8 ELFCLASS64 = 2, ELFDATA2LSB = 1, EV_CURRENT = 1;
constexpr u16 ET_EXEC = 2, EM_X86_64 = 62;
constexpr u32 PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3;
constexpr u32 PF_X = 1, PF_W = 2;

struct Failure {
    char const** why;
    Error fail(char const* reason) const
    {
        if (why)
            *why = reason;
        return Error::from_errno(ENOEXEC);
    }
};

bool fits(ReadonlyBytes file, u64 offset, u64 size)
{
    return offset <= file.size() && size <= file.size() - offset;
}

ErrorOr<void> check_header(ReadonlyBytes file, Elf64_Ehdr const& header, Failure const& failure)
{
    u8 const* id = header.e_ident;
    if (id[0] != 0x7F || id[1] != 'E' || id[2] != 'L' || id[3] != 'F')
        return failure.fail("not an ELF file (bad magic)");
    if (id[4] != ELFCLASS64 || id[5] != ELFDATA2LSB || id[6] != EV_CURRENT)
        return failure.fail("not a 64-bit little-endian ELF file");
    if (header.e_type != ET_EXEC)
        return failure.fail("not an executable (ET_EXEC); shared objects and PIE are not supported");
    if (header.e_machine != EM_X86_64)
        return failure.fail("not an x86_64 program");
    if (header.e_phentsize != sizeof(Elf64_Phdr) || header.e_phnum == 0
        || !fits(file, header.e_phoff, u64(header.e_phnum) * sizeof(Elf64_Phdr)))
        return failure.fail("program headers missing or outside the file");
    return {};
}

}

ErrorOr<ElfImage> ElfImage::parse(ReadonlyBytes file, u64 lowest, u64 highest, char const** why)
{
    Failure failure { why };
    if (file.size() < sizeof(Elf64_Ehdr))
        return failure.fail("shorter than an ELF header");
    Elf64_Ehdr header;
    __builtin_memcpy(&header, file.data(), sizeof(header));
    TRY(check_header(file, header, failure));

    ElfImage image;
    image.m_file = file;
    image.m_entry = header.e_entry;
    bool entry_ok = false;
    for (u16 i = 0; i < header.e_phnum; ++i) {
        Elf64_Phdr ph;
        __builtin_memcpy(&ph, file.data() + header.e_phoff + u64(i) * sizeof(ph), sizeof(ph));
        if (ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC)
            return failure.fail("dynamically linked; user programs must be static");
        if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
            continue;
        if (ph.p_filesz > ph.p_memsz || !fits(file, ph.p_offset, ph.p_filesz))
            return failure.fail("a segment's file bytes lie outside the file");
        if (ph.p_vaddr < lowest || ph.p_vaddr >= highest || ph.p_memsz > highest - ph.p_vaddr)
            return failure.fail("a segment lies outside the program area");
        if ((ph.p_flags & PF_W) && (ph.p_flags & PF_X))
            return failure.fail("a segment is writable and executable (W^X)");
        if (image.m_segment_count == MAX_SEGMENTS)
            return failure.fail("too many loadable segments");
        Segment segment;
        segment.vaddr = kstd::align_down(ph.p_vaddr, PAGE);
        segment.size = kstd::align_up(ph.p_vaddr + ph.p_memsz, PAGE) - segment.vaddr;
        segment.data_offset = ph.p_vaddr - segment.vaddr;
        segment.data = file.subspan(ph.p_offset, ph.p_filesz);
        segment.writable = ph.p_flags & PF_W;
        segment.executable = ph.p_flags & PF_X;
        for (usize s = 0; s < image.m_segment_count; ++s) {
            Segment const& other = image.m_segments[s];
            if (segment.vaddr < other.vaddr + other.size && other.vaddr < segment.vaddr + segment.size)
                return failure.fail("two segments share a page");
        }
        if (segment.executable && header.e_entry >= ph.p_vaddr && header.e_entry < ph.p_vaddr + ph.p_memsz)
            entry_ok = true;
        image.m_segments[image.m_segment_count++] = segment;
    }
    if (image.m_segment_count == 0)
        return failure.fail("no loadable segment");
    if (!entry_ok)
        return failure.fail("the entry point is not in an executable segment");
    return image;
}

SymbolTable ElfImage::symbols() const
{
    Elf64_Ehdr header;
    __builtin_memcpy(&header, m_file.data(), sizeof(header));
    if (header.e_shentsize != sizeof(Elf64_Shdr) || header.e_shnum == 0
        || !fits(m_file, header.e_shoff, u64(header.e_shnum) * sizeof(Elf64_Shdr))
        || header.e_shoff % alignof(Elf64_Shdr))
        return {};
    auto const* sections = reinterpret_cast<Elf64_Shdr const*>(m_file.data() + header.e_shoff);
    ReadonlyBytes file = m_file;
    auto table = SymbolTable::from_section_headers(kstd::Span<Elf64_Shdr const>(sections, header.e_shnum),
        [file](Elf64_Shdr const& section) -> void const* {
            if (!fits(file, section.sh_offset, section.sh_size) || section.sh_offset % 8)
                return nullptr;
            return file.data() + section.sh_offset;
        });
    return table.is_error() ? SymbolTable() : table.release_value();
}

}
