// Kernel heap glue: HeapCore over the HEAP_BASE window, kmalloc/kfree, and the C++ allocation
// operators the compiler calls (docs/style.md, "Freestanding C++").
#include "heap_core.h"
#include "internal.h"
#include <kernel/irq_flags.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/panic.h>
#include <kstd/new.h>
#include <kernel/io/dma.h>
#include <kstd/enforce.h>

namespace mm {

namespace {

// Constant-initialised: global constructors run before mm::init and must not reset it.
constinit HeapCore g_heap;

void unmap_and_free(u64 virt, u64 bytes)
{
    for (u64 offset = 0; offset < bytes; offset += PAGE_SIZE) {
        auto phys = unmap(virt + offset);
        if (!phys.is_error())
            free_frame(phys.value());
    }
}

// HeapCore's GrowFn: back [at, at + bytes) with fresh frames. On failure undo everything, so
// the arena end stays where HeapCore thinks it is.
bool grow_heap(void*, u64 at, u64 bytes)
{
    for (u64 offset = 0; offset < bytes; offset += PAGE_SIZE) {
        auto frame = alloc_frame();
        if (frame.is_error()) {
            unmap_and_free(at, offset);
            return false;
        }
        if (map(at + offset, frame.value(), KERNEL_DATA).is_error()) {
            free_frame(frame.value());
            unmap_and_free(at, offset);
            return false;
        }
    }
    return true;
}

void free_or_panic(void* ptr, usize size_hint)
{
    if (!ptr)
        return;
    // Memory still part of a live DMA mapping must not be handed out again: the device may
    // still write into it. Reported by the DMA API (a log line naming the mapping, a counter).
    io::dma_debug_check_free(ptr, kmalloc_usable_size(ptr));
    HeapFault fault;
    {
        InterruptsDisabled guard;
        fault = g_heap.deallocate(ptr, size_hint);
    }
    if (fault != HeapFault::None)
        panic("kfree(%p): %s", ptr, heap_fault_text(fault));
}

void* allocate_or_panic(usize size, usize align)
{
    void* ptr = kmalloc(size, align);
    if (!ptr)
        panic("out of memory: %zu bytes (alignment %zu) for operator new", size, align);
    return ptr;
}

}

void detail::init_heap()
{
    g_heap.initialize(HEAP_BASE, HEAP_LIMIT, grow_heap, nullptr);
}

void* kmalloc(usize size, usize align)
{
    if (!g_heap.is_initialized())
        panic("kmalloc(%zu) before mm::init: the heap does not exist yet", size);
    InterruptsDisabled guard;
    return g_heap.allocate(size, align);
}

void kfree(void* ptr) { free_or_panic(ptr, 0); }

usize kmalloc_usable_size(void const* ptr)
{
    InterruptsDisabled guard;
    return g_heap.usable_size(ptr);
}

HeapUsage heap_usage()
{
    InterruptsDisabled guard;
    HeapStats s = g_heap.stats();
    return HeapUsage { s.bytes_in_use, s.peak_bytes_in_use, s.allocations, s.frees,
        s.failed_allocations, s.arena_bytes, s.free_bytes };
}

void heap_check()
{
    HeapFault fault;
    {
        InterruptsDisabled guard;
        fault = g_heap.check();
    }
    if (fault != HeapFault::None)
        panic("heap check: %s", heap_fault_text(fault));
}

}

// --- the C++ allocation functions ------------------------------------------------------------
// Throwing forms panic on OOM (no exceptions here); nothrow forms return nullptr.

void* operator new(usize size) { return mm::allocate_or_panic(size, 16); }
void* operator new[](usize size) { return mm::allocate_or_panic(size, 16); }
void* operator new(usize size, kstd::AlignVal align) { return mm::allocate_or_panic(size, usize(align)); }
void* operator new[](usize size, kstd::AlignVal align) { return mm::allocate_or_panic(size, usize(align)); }

void* operator new(usize size, kstd::NoThrow const&) noexcept { return mm::kmalloc(size); }
void* operator new[](usize size, kstd::NoThrow const&) noexcept { return mm::kmalloc(size); }
void* operator new(usize size, kstd::AlignVal align, kstd::NoThrow const&) noexcept
{
    return mm::kmalloc(size, usize(align));
}
void* operator new[](usize size, kstd::AlignVal align, kstd::NoThrow const&) noexcept
{
    return mm::kmalloc(size, usize(align));
}

// The sized forms check the size against the block: a mismatch means the wrong type was deleted.
void operator delete(void* ptr) noexcept { mm::free_or_panic(ptr, 0); }
void operator delete[](void* ptr) noexcept { mm::free_or_panic(ptr, 0); }
void operator delete(void* ptr, usize size) noexcept { mm::free_or_panic(ptr, size); }
void operator delete[](void* ptr, usize size) noexcept { mm::free_or_panic(ptr, size); }
void operator delete(void* ptr, kstd::AlignVal) noexcept { mm::free_or_panic(ptr, 0); }
void operator delete[](void* ptr, kstd::AlignVal) noexcept { mm::free_or_panic(ptr, 0); }
void operator delete(void* ptr, usize size, kstd::AlignVal) noexcept { mm::free_or_panic(ptr, size); }
void operator delete[](void* ptr, usize size, kstd::AlignVal) noexcept { mm::free_or_panic(ptr, size); }
