#pragma once
// Privileged CPU instructions. Only arch/x86_64 includes this header (docs/style.md, "Rules the build enforces"):
// everything else reaches the hardware through kernel interfaces.
#include <kstd/types.h>

namespace arch {

inline u64 read_cr0() { u64 v; asm volatile("mov %%cr0, %0" : "=r"(v)); return v; }
inline u64 read_cr2() { u64 v; asm volatile("mov %%cr2, %0" : "=r"(v)); return v; }
inline u64 read_cr3() { u64 v; asm volatile("mov %%cr3, %0" : "=r"(v)); return v; }
inline u64 read_cr4() { u64 v; asm volatile("mov %%cr4, %0" : "=r"(v)); return v; }
inline void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
inline void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
inline void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
inline void invlpg(u64 virt) { asm volatile("invlpg (%0)" ::"r"(virt) : "memory"); }

inline u64 read_msr(u32 msr)
{
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64(hi) << 32) | lo;
}
inline void write_msr(u32 msr, u64 v)
{
    asm volatile("wrmsr" ::"c"(msr), "a"(u32(v)), "d"(u32(v >> 32)) : "memory");
}

inline u64 read_tsc()
{
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64(hi) << 32) | lo;
}

struct CpuidResult { u32 eax, ebx, ecx, edx; };
inline CpuidResult cpuid(u32 leaf, u32 subleaf = 0)
{
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

inline u8 in8(u16 port) { u8 v; asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port)); return v; }
inline u16 in16(u16 port) { u16 v; asm volatile("inw %1, %0" : "=a"(v) : "Nd"(port)); return v; }
inline u32 in32(u16 port) { u32 v; asm volatile("inl %1, %0" : "=a"(v) : "Nd"(port)); return v; }
inline void out8(u16 port, u8 v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
inline void out16(u16 port, u16 v) { asm volatile("outw %0, %1" ::"a"(v), "Nd"(port)); }
inline void out32(u16 port, u32 v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }

inline void halt() { asm volatile("hlt"); }
inline void pause() { asm volatile("pause"); }

inline u64 read_flags()
{
    u64 f;
    asm volatile("pushfq; popq %0" : "=r"(f)::"memory");
    return f;
}
inline constexpr u64 FLAGS_IF = 1u << 9;
inline bool interrupts_enabled() { return read_flags() & FLAGS_IF; }
inline void disable_interrupts() { asm volatile("cli" ::: "memory"); }
inline void enable_interrupts() { asm volatile("sti" ::: "memory"); }

// MSRs used by the kernel.
inline constexpr u32 MSR_EFER = 0xC0000080;
inline constexpr u32 MSR_PAT = 0x277;
inline constexpr u32 MSR_APIC_BASE = 0x1B;
inline constexpr u32 MSR_FS_BASE = 0xC0000100;
inline constexpr u32 MSR_GS_BASE = 0xC0000101;
inline constexpr u32 MSR_KERNEL_GS_BASE = 0xC0000102;

}
