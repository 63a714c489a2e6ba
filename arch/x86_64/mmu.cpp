// The MMU controls of include/arch/mmu.h (SDM vol. 3: 2.5 control registers, 4.10.4 INVLPG,
// 11.12 PAT).
#include <arch/cpu.h>
#include <arch/mmu.h>
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace arch {

namespace {
constexpr u64 EFER_NXE = u64(1) << 11;
constexpr u64 CR0_WP = u64(1) << 16;
constexpr u64 CR4_PGE = u64(1) << 7;
constexpr u32 CPUID1_EDX_PGE = 1u << 13;
constexpr u32 CPUID1_EDX_PAT = 1u << 16;
}

void load_page_table_root(u64 root_phys) { write_cr3(root_phys); }

u64 current_page_table_root() { return read_cr3() & ~u64(0xFFF); }

void switch_page_table_root(u64 root_phys)
{
    if (current_page_table_root() != root_phys)
        write_cr3(root_phys);
}

void flush_tlb_page(u64 virt) { invlpg(virt); }

void enable_paging_features()
{
    // NX bits are reserved (a #PF with RSVD set) unless EFER.NXE is on; boot.S sets it, but
    // mm relies on it, so make sure.
    write_msr(MSR_EFER, read_msr(MSR_EFER) | EFER_NXE);
    // CR0.WP: ring 0 honours read-only pages too, which W^X for .text/.rodata needs.
    write_cr0(read_cr0() | CR0_WP);
    // CR4.PGE: global pages (present on every x86_64 CPU, but ask).
    if (cpuid(1).edx & CPUID1_EDX_PGE)
        write_cr4(read_cr4() | CR4_PGE);
    VERIFY(cpuid(1).edx & CPUID1_EDX_PAT);   // PAT, present on every x86_64 CPU
}

u64 read_page_attribute_table() { return read_msr(MSR_PAT); }
void write_page_attribute_table(u64 layout) { write_msr(MSR_PAT, layout); }

}
