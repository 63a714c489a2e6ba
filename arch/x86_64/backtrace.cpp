// Frame-pointer backtraces. Each frame is {saved rbp, return address}; the chain ends with the
// rbp = 0 that boot.S and the thread entry code put at the bottom of every stack.
#include <arch/backtrace.h>
#include <kernel/mm/layout.h>
#include <kstd/enforce.h>

namespace arch {

namespace {
// Only kernel-half addresses that a stack can live in: the image (boot and IST stacks), the
// direct map, and the stacks region. Anything else ends the walk rather than risking a fault.
bool plausible_frame(u64 rbp)
{
    if (rbp == 0 || (rbp & 7) != 0)
        return false;
    bool in_image = rbp >= mm::KERNEL_VMA;
    bool in_direct_map = rbp >= mm::PHYS_MAP_BASE && rbp < mm::PHYS_MAP_BASE + mm::BOOT_PHYS_MAP_SIZE;
    bool in_stacks = rbp >= mm::STACKS_BASE && rbp < mm::STACKS_LIMIT;
    bool in_heap = rbp >= mm::HEAP_BASE && rbp < mm::HEAP_LIMIT;
    return in_image || in_direct_map || in_stacks || in_heap;
}
}

u64 current_frame_pointer()
{
    u64 rbp;
    asm volatile("mov %%rbp, %0" : "=r"(rbp));
    return rbp;
}

usize capture_backtrace(u64 rbp, u64* out, usize max)
{
    usize count = 0;
    while (count < max && plausible_frame(rbp)) {
        auto* frame = reinterpret_cast<u64 const*>(rbp);
        u64 return_address = frame[1];
        if (return_address == 0)
            break;
        out[count++] = return_address;
        u64 next = frame[0];
        if (next <= rbp)   // stacks grow down: callers' frames are at higher addresses
            break;
        rbp = next;
    }
    return count;
}

}
