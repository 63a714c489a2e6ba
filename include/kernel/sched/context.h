#pragma once
// The architecture half of thread switching, used only by kernel/sched. Implemented in
// arch/x86_64/context_switch.S (the switch and the entry trampoline) and
// arch/x86_64/thread_entry.cpp (the first frame of a new thread).
//
// Discipline: the switch always happens with interrupts disabled; each thread brings its own
// interrupt state back when it resumes (the scheduler code it returns into restores what it
// saved, a new thread enables interrupts in its start function). The kernel is built with
// -mgeneral-regs-only, so there is no FPU/SSE state to switch.
#include <kstd/types.h>

namespace arch {

struct ThreadContext {
    u64 rsp { 0 };   // the callee-saved registers and the resume address sit on the stack there
};

using ThreadStart = void (*)(void* arg);

// Builds the first frame on a new thread's stack so that the first switch to it "returns" into
// the entry trampoline, which calls start(arg) with interrupts still disabled and rbp = 0, so
// backtraces end cleanly at the bottom of the stack. start must not return.
void prepare_thread_context(ThreadContext& context, u64 stack_top, ThreadStart start, void* arg);

}

// Saves the callee-saved registers and the stack pointer in *from and continues with *to.
// Returns when some later switch resumes `from`. Interrupts must be disabled.
extern "C" void arch_context_switch(arch::ThreadContext* from, arch::ThreadContext const* to);
