// The panic report. Its layout is part of the grader's contract (lab/grader/README.md):
//   PANIC: <message>
//   Registers: ...                (exceptions only)
//   Backtrace:
//     #0 0xffffffff80101234 function+0x34
//   @@CONDUIT panic nonce=<nonce> msg=<message>
#include <arch/backtrace.h>
#include <arch/platform.h>
#include <kernel/irq_flags.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/symbols.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <stdarg.h>
#include <kstd/enforce.h>

namespace {

char g_nonce[64] = "none";
bool g_in_panic = false;
constexpr usize MAX_FRAMES = 32;

void print_registers(arch::InterruptFrame const& f)
{
    kprint("Registers:\n");
    kprint("  rax=%016lx rbx=%016lx rcx=%016lx rdx=%016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
    kprint("  rsi=%016lx rdi=%016lx rbp=%016lx rsp=%016lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
    kprint("  r8 =%016lx r9 =%016lx r10=%016lx r11=%016lx\n", f.r8, f.r9, f.r10, f.r11);
    kprint("  r12=%016lx r13=%016lx r14=%016lx r15=%016lx\n", f.r12, f.r13, f.r14, f.r15);
    kprint("  rip=%016lx rflags=%016lx cs=%lx ss=%lx\n", f.rip, f.rflags, f.cs, f.ss);
}

// The frame-pointer chain starts at the function that set up %rbp last. A fault can hit a
// function that has not pushed %rbp yet (its first instruction) or never does (GCC gives leaf
// functions no frame): then its caller's return address is on top of the stack, not in the
// chain, and would be missing from the backtrace. Recover it the way debuggers do.
usize return_address_outside_chain(arch::InterruptFrame const& frame, u64* out)
{
    constexpr u8 PUSH_RBP = 0x55;
    u64 start = symbols::function_start(frame.rip);
    if (start == 0)
        return 0;
    auto const* stack = reinterpret_cast<u64 const*>(frame.rsp);
    bool frameless = *reinterpret_cast<u8 const*>(start) != PUSH_RBP;
    if (frameless || frame.rip == start) {
        out[0] = stack[0];
        return 1;
    }
    if (frame.rip == start + 1) {   // after push %rbp, before mov %rsp,%rbp
        out[0] = stack[1];
        return 1;
    }
    return 0;
}

[[noreturn]] void finish(char const* message, u64 const* first, usize first_count, u64 rbp)
{
    u64 frames[MAX_FRAMES];
    usize count = 0;
    for (; count < first_count; ++count)
        frames[count] = first[count];
    count += arch::capture_backtrace(rbp, frames + count, MAX_FRAMES - count);
    kprint("Backtrace:\n");
    symbols::print_backtrace(frames, count, first_count != 0);
    diag_print("@@CONDUIT panic nonce=%s msg=%s\n", g_nonce, message);
    arch::qemu_exit(arch::ExitCode::Panic);
}

// A panic inside a panic (a fault while printing the report) must not recurse forever.
void guard_reentry()
{
    arch::disable_interrupts_now();
    if (g_in_panic) {
        diag_print("\nPANIC while panicking\n@@CONDUIT panic nonce=%s msg=nested panic\n", g_nonce);
        arch::qemu_exit(arch::ExitCode::Panic);
    }
    g_in_panic = true;
}

}

void set_panic_nonce(char const* nonce) { kstd::copy_string(g_nonce, sizeof(g_nonce), nonce); }

void panic(char const* fmt, ...)
{
    guard_reentry();
    char message[256];
    va_list args;
    va_start(args, fmt);
    kstd::vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    kprint("\nPANIC: %s\n", message);
    finish(message, nullptr, 0, arch::current_frame_pointer());
}

void panic_from_exception(arch::InterruptFrame const& frame, char const* fmt, ...)
{
    guard_reentry();
    char message[256];
    va_list args;
    va_start(args, fmt);
    kstd::vsnprintf(message, sizeof(message), fmt, args);
    va_end(args);
    kprint("\nPANIC: %s\n", message);
    char where[128];
    symbols::describe(frame.rip, where, sizeof(where));
    kprint("  at rip %016lx %s\n", frame.rip, where);
    print_registers(frame);
    u64 first[2] = { frame.rip, 0 };
    usize first_count = 1 + return_address_outside_chain(frame, first + 1);
    finish(message, first, first_count, frame.rbp);
}

namespace kstd {
void verify_failed(char const* expr, char const* file, int line)
{
    panic("assertion failed: %s (%s:%d)", expr, file, line);
}
}
