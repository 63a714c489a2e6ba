// GDT, TSS and IDT for long mode (Intel SDM vol. 3A, 3.4.5 segment descriptors, 7.7 the 64-bit
// TSS, 6.14 64-bit IDT gates). Segmentation is flat. The TSS holds the interrupt stack table (a
// double fault or NMI gets a known-good stack even when the current one has overflowed), RSP0
// (the kernel stack for entries from ring 3) and the I/O permission bitmap (ioperm).
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <arch/segments.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

extern "C" u64 const interrupt_stub_table[256];

namespace arch {

namespace {

struct [[gnu::packed]] TableRegister {
    u16 limit;
    u64 base;
};

struct IdtGate {
    u16 offset_low;
    u16 selector;
    u8 ist;
    u8 type_attributes;
    u16 offset_mid;
    u32 offset_high;
    u32 reserved;
};
static_assert(sizeof(IdtGate) == 16);

constexpr u8 GATE_INTERRUPT = 0x8E;   // present, DPL 0, 64-bit interrupt gate (clears IF)
constexpr u8 IST_DOUBLE_FAULT = 1;
constexpr u8 IST_NMI = 2;
constexpr usize IST_STACK_SIZE = 16 * 1024;

// 0 null, 0x08 kernel code, 0x10 kernel data, 0x18 user data, 0x20 user code, 0x28 TSS (2 slots);
// the order is SYSRET's (arch/segments.h).
alignas(16) u64 g_gdt[7] = {
    0,
    0x00af9a000000ffff,
    0x00cf92000000ffff,
    0x00cff2000000ffff,
    0x00affa000000ffff,
    0,
    0,
};
alignas(16) Tss g_tss;
alignas(16) IdtGate g_idt[256];
alignas(16) u8 g_double_fault_stack[IST_STACK_SIZE];
alignas(16) u8 g_nmi_stack[IST_STACK_SIZE];

void install_tss_descriptor()
{
    u64 base = reinterpret_cast<u64>(&g_tss);
    u64 limit = sizeof(Tss) - 1;
    g_gdt[5] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (u64(0x89) << 40)
        | (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
    g_gdt[6] = base >> 32;
}

void set_gate(u8 vector, u64 handler, u8 ist)
{
    g_idt[vector] = IdtGate {
        .offset_low = u16(handler),
        .selector = KERNEL_CODE_SELECTOR,
        .ist = ist,
        .type_attributes = GATE_INTERRUPT,
        .offset_mid = u16(handler >> 16),
        .offset_high = u32(handler >> 32),
        .reserved = 0,
    };
}

void load_gdt_and_segments()
{
    TableRegister gdtr { sizeof(g_gdt) - 1, reinterpret_cast<u64>(g_gdt) };
    asm volatile("lgdt %0" ::"m"(gdtr));
    // Reload CS with a far return, then the data segments.
    asm volatile(
        "pushq %0\n"
        "leaq 1f(%%rip), %%rax\n"
        "pushq %%rax\n"
        "lretq\n"
        "1:\n"
        "mov %1, %%ds\n"
        "mov %1, %%es\n"
        "mov %1, %%ss\n" ::"i"(u64(KERNEL_CODE_SELECTOR)),
        "r"(u16(KERNEL_DATA_SELECTOR))
        : "rax", "memory");
    asm volatile("ltr %0" ::"r"(TSS_SELECTOR));
}

}

Tss& tss() { return g_tss; }

void init_cpu_tables()
{
    g_tss.ist[IST_DOUBLE_FAULT - 1] = reinterpret_cast<u64>(g_double_fault_stack + IST_STACK_SIZE);
    g_tss.ist[IST_NMI - 1] = reinterpret_cast<u64>(g_nmi_stack + IST_STACK_SIZE);
    // Every port denied to ring 3 until a process is granted some (user_mode.cpp).
    memset(g_tss.io_bitmap, 0xFF, sizeof(g_tss.io_bitmap));
    g_tss.io_bitmap_end = 0xFF;
    g_tss.iomap_base = IO_BITMAP_OFFSET_INVALID;
    install_tss_descriptor();
    load_gdt_and_segments();

    for (unsigned v = 0; v < 256; ++v)
        set_gate(u8(v), interrupt_stub_table[v], 0);
    set_gate(8, interrupt_stub_table[8], IST_DOUBLE_FAULT);
    set_gate(2, interrupt_stub_table[2], IST_NMI);
    TableRegister idtr { sizeof(g_idt) - 1, reinterpret_cast<u64>(g_idt) };
    asm volatile("lidt %0" ::"m"(idtr));
}

}
