#pragma once
// The kernel heap (design and trade-offs: kernel/mm/heap_core.h). Pages are mapped on demand
// into the HEAP_BASE window.
//
// Running out of memory:
//  * kmalloc and `new (kstd::nothrow)` return nullptr, and kstd::make<T> turns that into ENOMEM:
//    code that can cope with OOM (drivers, anything sized by user input) uses these;
//  * plain `new` cannot throw in this kernel (-fno-exceptions), so it panics with
//    "out of memory: N bytes" instead of returning nullptr into code that never checks.
// Misuse is caught cheaply and panics with the reason: double free, freeing a pointer that is
// not from the heap, a smashed block header, or a write past the end of a block (checked when
// that block is freed, or by heap_check()).
#include <kstd/types.h>

namespace mm {

// `align` must be a power of two; anything below 16 means 16. The memory is not zeroed.
// nullptr when out of memory or for a bad alignment. Context: thread or boot
// (allowed with interrupts off, but top halves must not allocate: docs/style.md, "Interrupts, bottom halves and waiting").
// Locking: interrupts off inside.
[[nodiscard]] void* kmalloc(usize size, usize align = 16);
void kfree(void* ptr);

// Bytes usable at ptr (at least what was asked), 0 for a pointer that is not a live block.
usize kmalloc_usable_size(void const* ptr);

struct HeapUsage {
    u64 bytes_in_use;
    u64 peak_bytes_in_use;
    u64 allocations;
    u64 frees;
    u64 failed_allocations;
    u64 arena_bytes;     // mapped heap
    u64 free_bytes;      // free inside the mapped heap
};
HeapUsage heap_usage();

// Walks the whole heap and panics with the reason if any block is corrupted. Context: thread.
void heap_check();

}
