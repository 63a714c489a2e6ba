// Core tests of the kernel heap (kmalloc and the C++ operators) and of kernel stacks with
// guard pages.
#include <arch/interrupts.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/mm/stacks.h>
#include <kernel/test.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace {

struct alignas(64) Descriptor {   // like a DMA descriptor that must not straddle cache lines
    u64 words[8];
};

struct Block {
    u8* ptr;
    u32 size;
    u8 pattern;
};

constexpr usize BLOCKS = 4000;
Block g_blocks[BLOCKS];   // in .bss: too big for a kernel stack

u64 g_rng = 0x9e3779b97f4a7c15;
u32 next_random()
{
    g_rng ^= g_rng << 13;
    g_rng ^= g_rng >> 7;
    g_rng ^= g_rng << 17;
    return u32(g_rng);
}

bool intact(Block const& block)
{
    for (u32 i = 0; i < block.size; ++i) {
        if (block.ptr[i] != block.pattern)
            return false;
    }
    return true;
}

}

KTEST(mm_heap_stress, CORE_SUITE)
{
    auto before = mm::heap_usage();
    usize live = 0;
    for (usize round = 0; round < 3 * BLOCKS; ++round) {
        if (live > 0 && (next_random() % 100 < 40 || live == BLOCKS)) {
            usize i = next_random() % live;
            EXPECT_MSG(intact(g_blocks[i]), "block %p (%u bytes) was overwritten", g_blocks[i].ptr, g_blocks[i].size);
            mm::kfree(g_blocks[i].ptr);
            g_blocks[i] = g_blocks[--live];
            continue;
        }
        u32 size = next_random() % 16 == 0 ? next_random() % 65536 : next_random() % 512;
        usize align = usize(1) << (next_random() % 9);   // 1 .. 256
        auto* ptr = static_cast<u8*>(mm::kmalloc(size, align));
        EXPECT_MSG(ptr, "kmalloc(%u, %zu) failed", size, align);
        EXPECT_MSG(reinterpret_cast<u64>(ptr) % kstd::max<usize>(align, 16) == 0, "%p not %zu-aligned", ptr, align);
        EXPECT(reinterpret_cast<u64>(ptr) >= mm::HEAP_BASE && reinterpret_cast<u64>(ptr) < mm::HEAP_LIMIT);
        EXPECT(mm::kmalloc_usable_size(ptr) >= size);
        g_blocks[live] = Block { ptr, size, u8(round) };
        memset(ptr, u8(round), size);
        ++live;
    }
    for (usize i = 0; i < live; ++i) {
        EXPECT_MSG(intact(g_blocks[i]), "block %p (%u bytes) was overwritten", g_blocks[i].ptr, g_blocks[i].size);
        mm::kfree(g_blocks[i].ptr);
    }
    mm::heap_check();
    auto after = mm::heap_usage();
    EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
    EXPECT(after.peak_bytes_in_use > before.bytes_in_use);
    EXPECT_EQ(after.allocations - before.allocations, after.frees - before.frees);
    return {};
}

KTEST(mm_heap_operators, CORE_SUITE)
{
    auto before = mm::heap_usage();
    auto* array = new Descriptor[37];
    EXPECT_EQ(reinterpret_cast<u64>(array) % 64, 0u);
    for (usize i = 0; i < 37; ++i)
        array[i].words[7] = i;
    auto* one = new Descriptor;
    EXPECT_EQ(reinterpret_cast<u64>(one) % 64, 0u);
    delete one;
    delete[] array;

    auto* bytes = new (kstd::nothrow) u8[100];
    EXPECT(bytes);
    delete[] bytes;
    auto owned = EXPECT_OK(kstd::make<Descriptor>());
    EXPECT_EQ(reinterpret_cast<u64>(owned.ptr()) % 64, 0u);
    owned = nullptr;

    // Out of memory is a nullptr (and a count), not a crash.
    EXPECT(mm::kmalloc(usize(1) << 40) == nullptr);
    EXPECT(new (kstd::nothrow) u8[usize(1) << 40] == nullptr);
    auto after = mm::heap_usage();
    EXPECT_EQ(after.failed_allocations - before.failed_allocations, 2u);
    EXPECT_EQ(after.bytes_in_use, before.bytes_in_use);
    return {};
}

KTEST(mm_kernel_stack, CORE_SUITE)
{
    // A new stack may need a new page table (kept afterwards), so count those separately.
    u64 free_before = mm::frame_stats().free_frames;
    u64 tables_before = mm::paging_stats().table_frames;
    u64 base = 0, guard = 0;
    {
        auto stack = EXPECT_OK(mm::allocate_kernel_stack(24 * KiB));
        base = stack.base();
        guard = stack.guard_page();
        EXPECT_EQ(stack.size(), 24 * KiB);
        EXPECT(base >= mm::STACKS_BASE && stack.top() <= mm::STACKS_LIMIT);
        EXPECT_EQ(stack.top() % 16, 0u);
        EXPECT_OK(mm::translate(stack.top() - 8));
        EXPECT_ERROR(mm::translate(guard), ENOENT);
        EXPECT(mm::is_stack_guard_page(guard));
        EXPECT(mm::is_stack_guard_page(guard - 4 * mm::PAGE_SIZE));   // a big frame jumping past it
        EXPECT(!mm::is_stack_guard_page(base));
        EXPECT_EQ(*reinterpret_cast<u64*>(base), 0u);                  // handed out zeroed
        memset(reinterpret_cast<void*>(base), 0xcc, stack.size());

        auto moved = kstd::move(stack);
        EXPECT(!stack.is_valid());
        EXPECT_EQ(moved.base(), base);
        u64 new_tables = mm::paging_stats().table_frames - tables_before;
        EXPECT_EQ(mm::frame_stats().free_frames, free_before - 6 - new_tables);
    }
    EXPECT_ERROR(mm::translate(base), ENOENT);
    EXPECT(!mm::is_stack_guard_page(guard));
    u64 new_tables = mm::paging_stats().table_frames - tables_before;
    EXPECT_EQ(mm::frame_stats().free_frames, free_before - new_tables);

    EXPECT_ERROR(mm::allocate_kernel_stack(0), EINVAL);
    EXPECT_ERROR(mm::allocate_kernel_stack(mm::MAX_KERNEL_STACK_SIZE + 1), EINVAL);
    return {};
}

// Touching the guard page below a stack page-faults, and the fault handler can tell it is a
// guard page. (Actually running off the end of a stack faults while pushing onto that stack;
// the #PF then becomes a #DF, which needs an IST stack in the TSS: arch/x86_64.)
KTEST(mm_stack_guard_faults, CORE_SUITE)
{
    auto stack = EXPECT_OK(mm::allocate_kernel_stack());
    u64 target = stack.guard_page() + mm::PAGE_SIZE - 8;   // the first word below the stack
    arch::FaultInfo info {};
    bool faulted = arch::run_catching_faults(
        [](void* address) { *static_cast<u64 volatile*>(address) = 1; }, reinterpret_cast<void*>(target), &info);
    EXPECT_MSG(faulted, "writing to the guard page at %#lx did not fault", target);
    EXPECT_EQ(info.vector, 14u);
    EXPECT_EQ(info.address, target);
    EXPECT_EQ(info.error_code & 1, 0u);   // not present
    EXPECT(mm::is_stack_guard_page(info.address));
    return {};
}
