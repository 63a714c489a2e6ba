// The first frame of a new kernel thread (see include/kernel/sched/context.h). It mirrors what
// arch_context_switch pops, so the first switch to the thread "returns" into the trampoline:
//
//   stack_top -  8: arch_thread_trampoline   <- popped by `ret`
//   stack_top - 16: rbp = 0                  (ends the backtrace chain)
//   stack_top - 24: rbx = 0
//   stack_top - 32: r12 = start
//   stack_top - 40: r13 = arg
//   stack_top - 48: r14 = 0
//   stack_top - 56: r15 = 0                  <- context.rsp
//
// After the `ret`, rsp = stack_top, 16-byte aligned as the ABI wants at a call instruction.
#include <kernel/sched/context.h>
#include <kstd/error.h>
#include <kstd/enforce.h>

extern "C" void arch_thread_trampoline();

namespace arch {

namespace {
// Order of the callee-saved slots from rsp upward, as arch_context_switch pops them.
enum Slot : int { R15, R14, R13, R12, Rbx, Rbp, ReturnAddress, SlotCount };
}

void prepare_thread_context(ThreadContext& context, u64 stack_top, ThreadStart start, void* arg)
{
    VERIFY(stack_top % 16 == 0);
    auto* frame = reinterpret_cast<u64*>(stack_top) - SlotCount;
    frame[R15] = 0;
    frame[R14] = 0;
    frame[R13] = reinterpret_cast<u64>(arg);
    frame[R12] = reinterpret_cast<u64>(start);
    frame[Rbx] = 0;
    frame[Rbp] = 0;
    frame[ReturnAddress] = reinterpret_cast<u64>(&arch_thread_trampoline);
    context.rsp = reinterpret_cast<u64>(frame);
}

}
