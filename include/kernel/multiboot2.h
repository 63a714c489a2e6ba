#pragma once
// Multiboot2 boot information (the Multiboot2 Specification, version 2.0, section 3.6) as GRUB
// 2.06 delivers it. Note GRUB's ELF-sections tag uses u32 num/entsize/shndx, not the u16 of the
// spec text (qemu-platform-facts.md, section 1).
#include <kernel/boot_info.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace multiboot2 {

inline constexpr u32 BOOTLOADER_MAGIC = 0x36d76289;

enum class TagType : u32 {
    End = 0,
    Cmdline = 1,
    BootloaderName = 2,
    Module = 3,
    BasicMeminfo = 4,
    Bootdev = 5,
    Mmap = 6,
    Framebuffer = 8,
    ElfSections = 9,
    AcpiOld = 14,
    AcpiNew = 15,
    LoadBaseAddr = 21,
};

struct InfoHeader {
    u32 total_size;
    u32 reserved;
};
struct Tag {
    u32 type;
    u32 size;
};
struct MmapEntry {
    u64 base;
    u64 length;
    u32 type;
    u32 reserved;
};
struct ElfSectionsTag {
    u32 type, size;
    u32 count, entry_size, string_index;
    // followed by the section headers
};
struct FramebufferTag {
    u32 type, size;
    u64 address;
    u32 pitch, width, height;
    u8 bpp, fb_type;
    u16 reserved;
};
struct ModuleTag {
    u32 type, size;
    u32 start, end;
    char string[];
};

// Copies what the kernel needs out of the information structure at `info` (already mapped)
// whose physical address is info_phys. EINVAL when the structure is malformed.
ErrorOr<void> parse(void const* info, u64 info_phys, BootInfo& out);

}
