#pragma once
// What the boot loader told us, copied out of the multiboot2 information structure by
// kernel/boot/multiboot2.cpp before anything can overwrite it. All addresses are physical.
#include <kstd/types.h>

enum class MemoryType : u32 {
    Usable = 1,
    Reserved = 2,
    AcpiReclaimable = 3,
    AcpiNvs = 4,
    Bad = 5,
};

struct MemoryRegion {
    u64 base;
    u64 length;
    MemoryType type;
};

struct BootModule {
    u64 start;
    u64 end;            // exclusive
    char const* string; // module arguments (points into the kernel's copy)
};

struct BootInfo {
    static constexpr usize max_regions = 64;
    static constexpr usize max_modules = 8;

    MemoryRegion regions[max_regions];
    usize region_count { 0 };

    BootModule modules[max_modules];
    usize module_count { 0 };

    u64 kernel_phys_start { 0 };   // first byte of the loaded image
    u64 kernel_phys_end { 0 };     // end of .bss
    u64 mbi_phys_start { 0 };      // the multiboot2 information structure itself
    u64 mbi_phys_end { 0 };

    // ELF section headers of the kernel image as GRUB loaded them (for the symbol table).
    u64 elf_sections_phys { 0 };
    u32 elf_section_count { 0 };
    u32 elf_section_entsize { 0 };
    u32 elf_string_section_index { 0 };

    u64 acpi_rsdp_phys { 0 };      // copy of the RSDP inside the MBI (ACPI 1.0 on QEMU)
    u64 framebuffer_phys { 0 };
    u32 framebuffer_width { 0 }, framebuffer_height { 0 }, framebuffer_pitch { 0 };
    u8 framebuffer_bpp { 0 }, framebuffer_type { 0 };

    char cmdline[1024] {};
    char bootloader[64] {};
};

// Filled early in kernel_main; read-only afterwards.
BootInfo const& boot_info();
