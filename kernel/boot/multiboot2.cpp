// Reads the multiboot2 information structure into BootInfo. Everything is copied: the structure
// sits in memory just after the kernel image that the frame allocator will hand out later.
#include <kernel/multiboot2.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace multiboot2 {

namespace {

constexpr usize TAG_ALIGNMENT = 8;
constexpr usize MAX_INFO_SIZE = 1 * MiB;

void add_region(BootInfo& out, u64 base, u64 length, u32 type)
{
    if (out.region_count == BootInfo::max_regions || length == 0)
        return;
    MemoryType kind = (type >= 1 && type <= 5) ? MemoryType(type) : MemoryType::Reserved;
    out.regions[out.region_count++] = MemoryRegion { base, length, kind };
}

void parse_mmap(Tag const* tag, BootInfo& out)
{
    auto const* bytes = reinterpret_cast<u8 const*>(tag);
    u32 entry_size = *reinterpret_cast<u32 const*>(bytes + 8);
    if (entry_size < sizeof(MmapEntry))
        return;
    for (u32 offset = 16; offset + entry_size <= tag->size; offset += entry_size) {
        auto const* entry = reinterpret_cast<MmapEntry const*>(bytes + offset);
        add_region(out, entry->base, entry->length, entry->type);
    }
}

void parse_module(Tag const* tag, BootInfo& out, char* strings, usize& strings_used, usize strings_cap)
{
    if (out.module_count == BootInfo::max_modules)
        return;
    auto const* module = reinterpret_cast<ModuleTag const*>(tag);
    usize max_length = tag->size - sizeof(ModuleTag);
    kstd::StringView text(module->string, kstd::strnlen(module->string, max_length));
    char* copy = strings + strings_used;
    usize room = strings_cap - strings_used;
    usize written = kstd::copy_string(copy, room, text);
    strings_used += kstd::min(written + 1, room);
    out.modules[out.module_count++] = BootModule { module->start, module->end, copy };
}

void parse_tag(Tag const* tag, u64 tag_phys, BootInfo& out)
{
    static char module_strings[512];
    static usize module_strings_used = 0;
    auto const* bytes = reinterpret_cast<u8 const*>(tag);
    auto text = [&](usize offset) {
        auto const* s = reinterpret_cast<char const*>(bytes + offset);
        return kstd::StringView(s, kstd::strnlen(s, tag->size - offset));
    };
    switch (TagType(tag->type)) {
    case TagType::Cmdline:
        kstd::copy_string(out.cmdline, sizeof(out.cmdline), text(8));
        break;
    case TagType::BootloaderName:
        kstd::copy_string(out.bootloader, sizeof(out.bootloader), text(8));
        break;
    case TagType::Mmap:
        parse_mmap(tag, out);
        break;
    case TagType::Module:
        parse_module(tag, out, module_strings, module_strings_used, sizeof(module_strings));
        break;
    case TagType::ElfSections: {
        auto const* elf = reinterpret_cast<ElfSectionsTag const*>(tag);
        out.elf_sections_phys = tag_phys + sizeof(ElfSectionsTag);
        out.elf_section_count = elf->count;
        out.elf_section_entsize = elf->entry_size;
        out.elf_string_section_index = elf->string_index;
        break;
    }
    case TagType::AcpiOld:
    case TagType::AcpiNew:
        if (!out.acpi_rsdp_phys || TagType(tag->type) == TagType::AcpiNew)
            out.acpi_rsdp_phys = tag_phys + 8;
        break;
    case TagType::Framebuffer: {
        auto const* fb = reinterpret_cast<FramebufferTag const*>(tag);
        out.framebuffer_phys = fb->address;
        out.framebuffer_pitch = fb->pitch;
        out.framebuffer_width = fb->width;
        out.framebuffer_height = fb->height;
        out.framebuffer_bpp = fb->bpp;
        out.framebuffer_type = fb->fb_type;
        break;
    }
    default:
        break;
    }
}

}

ErrorOr<void> parse(void const* info, u64 info_phys, BootInfo& out)
{
    auto const* header = static_cast<InfoHeader const*>(info);
    if (header->total_size < sizeof(InfoHeader) + sizeof(Tag) || header->total_size > MAX_INFO_SIZE)
        return Error::from_errno(EINVAL);
    out.mbi_phys_start = info_phys;
    out.mbi_phys_end = info_phys + header->total_size;

    auto const* base = static_cast<u8 const*>(info);
    usize offset = sizeof(InfoHeader);
    while (offset + sizeof(Tag) <= header->total_size) {
        auto const* tag = reinterpret_cast<Tag const*>(base + offset);
        if (tag->size < sizeof(Tag) || offset + tag->size > header->total_size)
            return Error::from_errno(EINVAL);
        if (TagType(tag->type) == TagType::End)
            return {};
        parse_tag(tag, info_phys + offset, out);
        offset += kstd::align_up(tag->size, TAG_ALIGNMENT);
    }
    return Error::from_errno(EINVAL);   // no end tag
}

}
