// Entering ring 3, the per-thread kernel entry stack, address-space switches and the SYSCALL
// MSRs (include/arch/user.h). The assembly halves are in syscall_entry.S.
#include <arch/cpu.h>
#include <arch/segments.h>
#include <arch/user.h>
#include "user_internal.h"
#include <kernel/panic.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

extern "C" u64 syscall_kernel_stack;
extern "C" void syscall_entry();
extern "C" [[noreturn]] void arch_enter_user_frame(arch::InterruptFrame const* registers, u64 kernel_stack_top);

namespace arch {

namespace {

// AMD64 APM vol. 2, 6.1.1 and Intel SDM vol. 4 (MSR list).
constexpr u32 MSR_STAR = 0xC0000081;
constexpr u32 MSR_LSTAR = 0xC0000082;
constexpr u32 MSR_SFMASK = 0xC0000084;
constexpr u64 EFER_SCE = 1;

constexpr u64 RFLAGS_TF = 1u << 8, RFLAGS_IF = 1u << 9, RFLAGS_DF = 1u << 10;
constexpr u64 RFLAGS_IOPL = 3u << 12, RFLAGS_NT = 1u << 14, RFLAGS_AC = 1u << 18;
constexpr u64 RFLAGS_RESERVED_ONE = 1u << 1;
// Cleared on SYSCALL: no interrupts until we are on the kernel stack, no single-stepping into
// the kernel, string operations forwards, no alignment checks, no nested-task flag.
constexpr u64 SYSCALL_FLAGS_MASK = RFLAGS_TF | RFLAGS_IF | RFLAGS_DF | RFLAGS_IOPL | RFLAGS_NT | RFLAGS_AC;

SyscallHandler g_syscall_handler = nullptr;
UserReturnHook g_user_return_hook = nullptr;

}

InterruptFrame initial_user_registers(u64 entry, u64 stack, u64 arg0, u64 arg1)
{
    InterruptFrame frame {};
    frame.rip = entry;
    frame.rsp = stack;
    frame.rdi = arg0;
    frame.rsi = arg1;
    frame.cs = USER_CODE_SELECTOR;
    frame.ss = USER_DATA_SELECTOR;
    // IOPL 0: ring 3 reaches ports only through the I/O permission bitmap.
    frame.rflags = RFLAGS_IF | RFLAGS_RESERVED_ONE;
    return frame;
}

InterruptFrame* user_registers_at(u64 kernel_stack_top)
{
    return reinterpret_cast<InterruptFrame*>(kernel_stack_top) - 1;
}

void enter_user_mode(InterruptFrame const& registers, u64 kernel_stack_top)
{
    VERIFY(registers.cs == USER_CODE_SELECTOR && registers.ss == USER_DATA_SELECTOR);
    VERIFY(!(registers.rflags & RFLAGS_IOPL));
    // The frame is built over whatever this call chain left at the top of the stack, so the
    // source must live elsewhere (the heap), and the copy is done in assembly, not by a call.
    u64 source = reinterpret_cast<u64>(&registers);
    u64 destination = reinterpret_cast<u64>(user_registers_at(kernel_stack_top));
    VERIFY(source + sizeof(InterruptFrame) <= destination || source >= kernel_stack_top);
    disable_interrupts();
    arch_enter_user_frame(&registers, kernel_stack_top);
}

void set_kernel_entry_stack(u64 top)
{
    tss().rsp[0] = top;
    syscall_kernel_stack = top;
}

bool is_user_frame(InterruptFrame const& frame) { return (frame.cs & 3) == 3; }

void set_user_return_hook(UserReturnHook hook) { g_user_return_hook = hook; }

void run_user_return_hook()
{
    if (g_user_return_hook)
        g_user_return_hook();
}

void init_syscalls(SyscallHandler handler)
{
    g_syscall_handler = handler;
    write_msr(MSR_EFER, read_msr(MSR_EFER) | EFER_SCE);
    write_msr(MSR_STAR, u64(KERNEL_CODE_SELECTOR) << 32 | u64(SYSRET_SELECTOR_BASE) << 48);
    write_msr(MSR_LSTAR, reinterpret_cast<u64>(&syscall_entry));
    write_msr(MSR_SFMASK, SYSCALL_FLAGS_MASK);
}

// --- the I/O permission bitmap -----------------------------------------------------------

namespace {
void const* g_bitmap_owner = nullptr;
u64 g_bitmap_generation = 0;
usize g_bitmap_loaded_bytes = 0;   // bytes of tss().io_bitmap that may be other than 0xFF
}

void io_bitmap_deny_all() { tss().iomap_base = IO_BITMAP_OFFSET_INVALID; }

void io_bitmap_load(void const* owner, u64 generation, u8 const* bitmap, usize bytes)
{
    VERIFY(bytes <= IO_BITMAP_BYTES);
    Tss& t = tss();
    if (owner != g_bitmap_owner || generation != g_bitmap_generation) {
        memcpy(t.io_bitmap, bitmap, bytes);
        if (g_bitmap_loaded_bytes > bytes)
            memset(t.io_bitmap + bytes, 0xFF, g_bitmap_loaded_bytes - bytes);
        g_bitmap_loaded_bytes = bytes;
        g_bitmap_owner = owner;
        g_bitmap_generation = generation;
    }
    t.iomap_base = IO_BITMAP_OFFSET_VALID;
}

}

// Called by syscall_entry with interrupts enabled.
extern "C" void syscall_dispatch_from_entry(arch::InterruptFrame* frame)
{
    if (!arch::g_syscall_handler) [[unlikely]]
        panic("SYSCALL from ring 3 before arch::init_syscalls");
    arch::g_syscall_handler(*frame);
    arch::run_user_return_hook();
}
