#pragma once
// Kernel stacks in the STACKS_BASE window, each with unmapped guard space below it.
//
// The window is cut into fixed slots of STACK_SLOT_SIZE bytes. A stack occupies the top of its
// slot; everything below it in the slot (at least one page) stays unmapped, so running off the
// bottom of a stack - even with a large frame that jumps over the first guard page - page-faults
// instead of silently corrupting a neighbour, and is_stack_guard_page() lets the fault handler
// name it "kernel stack overflow".
#include <kernel/mm/layout.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace mm {

inline constexpr u64 STACK_SLOT_SIZE = 256 * KiB;
inline constexpr usize MAX_KERNEL_STACKS = 2048;
inline constexpr usize MAX_KERNEL_STACK_SIZE = STACK_SLOT_SIZE - PAGE_SIZE;
inline constexpr usize DEFAULT_KERNEL_STACK_SIZE = 16 * KiB;

// An owned, mapped kernel stack; the destructor unmaps it and frees its frames.
class KernelStack {
public:
    KernelStack() = default;
    KernelStack(KernelStack&& other);
    KernelStack& operator=(KernelStack&& other);
    KernelStack(KernelStack const&) = delete;
    KernelStack& operator=(KernelStack const&) = delete;
    ~KernelStack();

    u64 base() const { return m_base; }            // lowest mapped address
    u64 top() const { return m_base + m_size; }    // initial RSP (16-byte aligned)
    usize size() const { return m_size; }
    u64 guard_page() const { return m_base - PAGE_SIZE; }
    bool is_valid() const { return m_size != 0; }

private:
    friend ErrorOr<KernelStack> allocate_kernel_stack(usize size);
    KernelStack(u64 base, usize size) : m_base(base), m_size(size) {}
    void release();

    u64 m_base { 0 };
    usize m_size { 0 };
};

// Maps a zeroed stack of `size` bytes (rounded up to pages). EINVAL for 0 or more than
// MAX_KERNEL_STACK_SIZE; ENOMEM when frames or slots run out.
// Context: thread or boot. Locking: interrupts off inside.
[[nodiscard]] ErrorOr<KernelStack> allocate_kernel_stack(usize size = DEFAULT_KERNEL_STACK_SIZE);

// True when `virt` is in the unmapped guard space below a live kernel stack.
// Context: any (the page-fault and double-fault handlers call it). Locking: none (reads one word).
bool is_stack_guard_page(u64 virt);

usize live_kernel_stacks();

}
