#pragma once
// Ring 3: what the kernel's process and system-call code (kernel/proc, kernel/syscall) needs from
// the CPU, behind one interface (docs/user-space.md tells the whole story).
//
//   * Entering user mode, and the frame of a user thread's registers at the top of its kernel
//     stack: every entry from ring 3 (system call, interrupt, exception) saves the user
//     registers there as an InterruptFrame, so "the user's registers" of a thread are always at
//     the same place (Linux's pt_regs).
//   * System calls through SYSCALL/SYSRET (AMD64 APM vol. 2, 6.1.1; Intel SDM vol. 2B SYSCALL):
//     rax = number, rdi rsi rdx r10 r8 r9 = arguments, rax = result. rcx and r11 are clobbered.
//   * Copies between kernel and user memory that survive a bad pointer: a fault inside the copy
//     ends it early (an exception-table fixup) instead of panicking.
//   * Faults raised by user code, decoded (cause, address, the I/O port of a denied in/out)
//     and handed to the process layer, which kills the process, never the kernel.
//   * The TSS I/O permission bitmap (SDM vol. 1, 19.5.2) for ioperm().
//
// Uniprocessor: the per-CPU pieces (the kernel stack for entries from ring 3, the TSS) are
// single globals; SMP would need one of each per CPU and SWAPGS in the entry path.
#include <arch/interrupts.h>
#include <kstd/types.h>

namespace arch {

// First address above the user half (48-bit canonical addresses: the lower half ends here).
inline constexpr u64 USER_LIMIT = 0x0000800000000000;

// --- entering and leaving ring 3 ---------------------------------------------------------

// The registers a user thread starts with: rip = entry, rsp = stack, rdi/rsi = arg0/arg1, user
// code and stack segments, RFLAGS with only IF set (so no IOPL: port access goes through the
// I/O permission bitmap). Context: any.
InterruptFrame initial_user_registers(u64 entry, u64 stack, u64 arg0, u64 arg1);

// Where the saved user registers of the current thread live: the InterruptFrame at the top of
// its kernel stack. `kernel_stack_top` is the top the thread was created with. Context: thread.
InterruptFrame* user_registers_at(u64 kernel_stack_top);

// Copies `registers` to the top of the current thread's kernel stack (`kernel_stack_top`) and
// returns to user mode with them. Whatever the kernel stack held is abandoned. Interrupts are
// enabled again in user mode (registers.rflags). Context: thread, a process's thread.
[[noreturn]] void enter_user_mode(InterruptFrame const& registers, u64 kernel_stack_top);

// The stack the CPU switches to when the current thread enters the kernel from ring 3 (TSS
// RSP0 and the SYSCALL entry). The scheduler's switch hook sets it for every thread it runs.
// Context: any, interrupts disabled.
void set_kernel_entry_stack(u64 top);

// True when the frame was saved on an entry from ring 3. Context: any.
bool is_user_frame(InterruptFrame const& frame);

// Called just before every return to ring 3 (after a system call, an interrupt or an
// exception the process survives), on the thread's kernel stack, with nothing held; it may end
// the thread (the process layer's pending kill). Context: thread. Install once at boot.
using UserReturnHook = void (*)();
void set_user_return_hook(UserReturnHook hook);

// --- system calls ------------------------------------------------------------------------

// Called with interrupts enabled for every SYSCALL, with the saved user registers; the result
// goes into registers.rax. Changes to registers.rip/rsp (exec) take effect on return.
using SyscallHandler = void (*)(InterruptFrame& registers);

// Programs EFER.SCE, STAR, LSTAR and SFMASK and installs `handler`. Call once at boot, after
// init_cpu_tables. Context: boot.
void init_syscalls(SyscallHandler handler);

// --- copying user memory -----------------------------------------------------------------

// Whether [address, address + size) lies entirely in the user half (no wrap-around). A range
// of size 0 is valid anywhere below USER_LIMIT. Context: any.
bool is_user_range(u64 address, usize size);

// Copy between kernel memory and user memory of the current address space. Both check
// is_user_range first; a fault inside the copy (an unmapped page, a read-only page on a write)
// stops it. Return: true when all bytes were copied. Context: thread, the process's own thread.
[[nodiscard]] bool copy_from_user(void* destination, u64 user_source, usize size);
[[nodiscard]] bool copy_to_user(u64 user_destination, void const* source, usize size);

// Copies a NUL-terminated user string into `destination` (capacity bytes, NUL included).
// Returns its length, -1 on a fault or a pointer outside the user half, -2 when no NUL came
// within capacity - 1 bytes. Context: as copy_from_user.
[[nodiscard]] i64 copy_string_from_user(char* destination, u64 user_source, usize capacity);

// --- faults raised by user code ----------------------------------------------------------

enum class UserFaultKind : u8 {
    PageFault,            // #PF
    GeneralProtection,    // #GP (a denied port, a privileged instruction, a bad selector...)
    InvalidOpcode,        // #UD (also SSE/FPU use: user code gets no FPU state)
    DivideError,          // #DE
    Breakpoint,           // #BP (int3)
    Other,                // anything else; the vector says which
};

enum class PortAccess : u8 { In, Out };

struct UserFault {
    UserFaultKind kind;
    u64 vector;
    u64 error_code;
    u64 rip;
    // Page faults: the address, and what the access was.
    u64 address;
    bool present;         // a protection violation rather than a missing page
    bool write;
    bool instruction_fetch;
    // #GP on an in/out/ins/outs instruction: the port and width (bytes) it tried.
    bool io_instruction;
    PortAccess io_access;
    u16 io_port;
    u8 io_width;
};

// Called for every exception raised in ring 3, on the thread's kernel stack with interrupts
// disabled. It must not return normally for a fatal fault: the process layer ends the thread.
// If it does return, the faulting instruction runs again.
using UserFaultHandler = void (*)(InterruptFrame& registers, UserFault const& fault);
void set_user_fault_handler(UserFaultHandler handler);

// --- the I/O permission bitmap -----------------------------------------------------------

inline constexpr usize IO_BITMAP_BYTES = 65536 / 8;

// Makes the TSS's bitmap deny every port to ring 3 (a process without ioperm). Context: any,
// interrupts disabled.
void io_bitmap_deny_all();
// Loads a process's bitmap: bit set = port denied (the CPU's convention). Only the first
// `bytes` bytes are copied (the rest is denied); `owner`/`generation` identify the contents so
// that switching back to the same process without changes copies nothing. Context: any,
// interrupts disabled.
void io_bitmap_load(void const* owner, u64 generation, u8 const* bitmap, usize bytes);

}
