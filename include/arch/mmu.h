#pragma once
// The MMU controls kernel/mm needs from the CPU: the page-table root, TLB invalidation, the
// paging feature bits and the PAT (page attribute table). Implemented in arch/x86_64/mmu.cpp,
// the only place that touches CR0/CR3/CR4, EFER and the PAT MSR.
// Context: any (the callers hold their own locks). Locking: none.
#include <kstd/types.h>

namespace arch {

// Makes `root_phys` (a PML4) the active page-table root (x86: CR3). Non-global TLB entries go.
void load_page_table_root(u64 root_phys);
// The active page-table root (x86: CR3, without its flag bits).
u64 current_page_table_root();
// Makes `root_phys` active unless it already is: a switch between threads of one address space
// keeps the TLB (user processes: the scheduler's switch hook). Interrupts disabled.
void switch_page_table_root(u64 root_phys);
// Drops any TLB entry for the page containing `virt` (x86: INVLPG).
void flush_tlb_page(u64 virt);
// Turns on what kernel/mm relies on: no-execute pages (EFER.NXE), write protection in ring 0
// (CR0.WP), global pages when the CPU has them (CR4.PGE). Panics (VERIFY) without PAT support.
void enable_paging_features();
// The page attribute table: eight memory types, one byte each (x86: IA32_PAT MSR).
u64 read_page_attribute_table();
void write_page_attribute_table(u64 layout);

}
