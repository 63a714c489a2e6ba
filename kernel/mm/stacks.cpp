// Kernel stacks with guard space (see include/kernel/mm/stacks.h for the slot layout).
//
//   slot i:  [ unmapped guard space (>= 1 page) ........ | stack (size bytes) ] <- top
//            STACKS_BASE + i * STACK_SLOT_SIZE                 STACKS_BASE + (i + 1) * STACK_SLOT_SIZE
//
// Slots are handed out next-fit, so a just-freed slot is not reused at once and a stale pointer
// into a dead stack faults for a while instead of scribbling on a new thread's frames.
#include "internal.h"
#include <kernel/irq_flags.h>
#include <kernel/mm/frames.h>
#include <kernel/mm/paging.h>
#include <kernel/mm/stacks.h>
#include <kernel/panic.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace mm {

namespace {

static_assert(STACKS_BASE + MAX_KERNEL_STACKS * STACK_SLOT_SIZE <= STACKS_LIMIT);

// Pages of the live stack in each slot; 0 = free. Read without a lock by is_stack_guard_page.
constinit u32 g_stack_pages[MAX_KERNEL_STACKS] {};
constinit usize g_next_slot = 0;
constinit usize g_live_stacks = 0;

u64 slot_top(usize slot) { return STACKS_BASE + (slot + 1) * STACK_SLOT_SIZE; }

void unmap_and_free(u64 base, u64 pages)
{
    for (u64 i = 0; i < pages; ++i) {
        auto phys = unmap(base + i * PAGE_SIZE);
        if (phys.is_error())
            panic("kernel stack page %#lx was not mapped: %s", base + i * PAGE_SIZE, phys.error().name());
        free_frame(phys.value());
    }
}

ErrorOr<void> populate(u64 base, u64 pages)
{
    for (u64 i = 0; i < pages; ++i) {
        u64 virt = base + i * PAGE_SIZE;
        auto frame = alloc_frame();
        if (frame.is_error()) {
            unmap_and_free(base, i);
            return frame.release_error();
        }
        if (auto mapped = map(virt, frame.value(), KERNEL_DATA); mapped.is_error()) {
            free_frame(frame.value());
            unmap_and_free(base, i);
            return mapped.release_error();
        }
        memset(reinterpret_cast<void*>(virt), 0, PAGE_SIZE);
    }
    return {};
}

}

ErrorOr<KernelStack> allocate_kernel_stack(usize size)
{
    if (size == 0 || size > MAX_KERNEL_STACK_SIZE)
        return Error::from_errno(EINVAL);
    size = kstd::align_up(size, PAGE_SIZE);

    InterruptsDisabled guard;
    usize slot = MAX_KERNEL_STACKS;
    for (usize i = 0; i < MAX_KERNEL_STACKS; ++i) {
        usize candidate = (g_next_slot + i) % MAX_KERNEL_STACKS;
        if (g_stack_pages[candidate] == 0) {
            slot = candidate;
            break;
        }
    }
    if (slot == MAX_KERNEL_STACKS)
        return Error::from_errno(ENOMEM);

    u64 base = slot_top(slot) - size;
    TRY(populate(base, size / PAGE_SIZE));
    g_stack_pages[slot] = u32(size / PAGE_SIZE);
    g_next_slot = (slot + 1) % MAX_KERNEL_STACKS;
    ++g_live_stacks;
    return KernelStack(base, size);
}

KernelStack::KernelStack(KernelStack&& other)
    : m_base(kstd::exchange(other.m_base, 0))
    , m_size(kstd::exchange(other.m_size, 0))
{
}

KernelStack& KernelStack::operator=(KernelStack&& other)
{
    if (this != &other) {
        release();
        m_base = kstd::exchange(other.m_base, 0);
        m_size = kstd::exchange(other.m_size, 0);
    }
    return *this;
}

KernelStack::~KernelStack() { release(); }

void KernelStack::release()
{
    if (m_size == 0)
        return;
    // Unmapping the stack we are standing on would fault on the next push.
    u64 here = reinterpret_cast<u64>(__builtin_frame_address(0));
    if (here >= m_base && here < top())
        panic("freeing kernel stack [%#lx, %#lx) while running on it", m_base, top());

    InterruptsDisabled guard;
    usize slot = (m_base - STACKS_BASE) / STACK_SLOT_SIZE;
    VERIFY(slot < MAX_KERNEL_STACKS && g_stack_pages[slot] == m_size / PAGE_SIZE);
    unmap_and_free(m_base, m_size / PAGE_SIZE);
    g_stack_pages[slot] = 0;
    --g_live_stacks;
    m_base = m_size = 0;
}

bool is_stack_guard_page(u64 virt)
{
    if (virt < STACKS_BASE || virt >= STACKS_BASE + MAX_KERNEL_STACKS * STACK_SLOT_SIZE)
        return false;
    usize slot = (virt - STACKS_BASE) / STACK_SLOT_SIZE;
    u64 pages = g_stack_pages[slot];
    return pages != 0 && virt < slot_top(slot) - pages * PAGE_SIZE;
}

usize live_kernel_stacks() { return g_live_stacks; }

}
