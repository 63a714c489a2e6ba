#pragma once
// CPU-level interrupt and exception plumbing shared by the arch layer and the IRQ core.
#include <kstd/types.h>

namespace arch {

// What the entry stubs push, in memory order from the lowest address (interrupt_entry.S).
struct InterruptFrame {
    u64 r15, r14, r13, r12, r11, r10, r9, r8;
    u64 rbp, rdi, rsi, rdx, rcx, rbx, rax;
    u64 vector;
    u64 error_code;   // 0 for vectors without one
    u64 rip, cs, rflags, rsp, ss;   // pushed by the CPU
};
static_assert(sizeof(InterruptFrame) == 22 * 8);

inline constexpr u8 FIRST_EXTERNAL_VECTOR = 32;
inline constexpr u8 SPURIOUS_VECTOR = 0xFF;

// Handler for one vector >= 32. Runs with interrupts disabled on the interrupted stack.
using VectorHandler = void (*)(InterruptFrame& frame);
void set_vector_handler(u8 vector, VectorHandler handler);

// Loads the GDT, TSS and IDT. Called once, early in kernel_main.
void init_cpu_tables();

// Name of an exception vector ("page fault"), or "external interrupt" for vectors >= 32.
char const* exception_name(u64 vector);
// Short mnemonic ("#PF").
char const* exception_mnemonic(u64 vector);

// --- catching faults on purpose (tests) ----------------------------------------------------
struct FaultInfo {
    u64 vector;
    u64 error_code;
    u64 address;   // CR2 for page faults, else 0
    u64 rip;
};

// Runs fn(ctx). If it raises a CPU exception (vectors 0-31 except double fault and NMI), the
// exception is recorded instead of panicking and run_catching_faults returns true with *info
// filled; otherwise returns false. Used by tests that must show an exception is caught and named.
bool run_catching_faults(void (*fn)(void*), void* ctx, FaultInfo* info);

}
