// The fences and cache flush declared in include/arch/barrier.h (SDM vol. 3, 8.2.5 and 11.12).
#include <arch/barrier.h>

namespace arch {

void store_fence() { asm volatile("sfence" ::: "memory"); }
void load_fence() { asm volatile("lfence" ::: "memory"); }
void full_fence() { asm volatile("mfence" ::: "memory"); }
void flush_cache_line(u64 virt) { asm volatile("clflush (%0)" ::"r"(virt) : "memory"); }

}
