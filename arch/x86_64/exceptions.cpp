// CPU exceptions (Intel SDM vol. 3A, 6.15 "Exception and interrupt reference") and the common
// interrupt dispatcher called by interrupt_entry.S. An exception in the kernel is a bug: report
// it with registers and a symbolized backtrace, then panic — unless a test asked to catch it.
#include "user_internal.h"
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <kernel/irq/irq.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/mm/stacks.h>
#include <kstd/enforce.h>

struct FaultJumpBuffer {
    u64 rbx, rbp, r12, r13, r14, r15, rsp, rip, rflags;
};
extern "C" [[gnu::returns_twice]] int fault_setjmp(FaultJumpBuffer* buffer);
extern "C" [[noreturn]] void fault_longjmp(FaultJumpBuffer* buffer);

namespace arch {

namespace {

struct ExceptionName {
    char const* mnemonic;
    char const* name;
};

constexpr ExceptionName EXCEPTIONS[32] = {
    { "#DE", "divide error" }, { "#DB", "debug" }, { "NMI", "non-maskable interrupt" },
    { "#BP", "breakpoint" }, { "#OF", "overflow" }, { "#BR", "bound range exceeded" },
    { "#UD", "invalid opcode" }, { "#NM", "device not available" }, { "#DF", "double fault" },
    { "#CSO", "coprocessor segment overrun" }, { "#TS", "invalid TSS" },
    { "#NP", "segment not present" }, { "#SS", "stack-segment fault" },
    { "#GP", "general protection fault" }, { "#PF", "page fault" }, { "#15", "reserved" },
    { "#MF", "x87 floating-point error" }, { "#AC", "alignment check" },
    { "#MC", "machine check" }, { "#XM", "SIMD floating-point exception" },
    { "#VE", "virtualization exception" }, { "#CP", "control protection exception" },
    { "#22", "reserved" }, { "#23", "reserved" }, { "#24", "reserved" }, { "#25", "reserved" },
    { "#26", "reserved" }, { "#27", "reserved" }, { "#HV", "hypervisor injection exception" },
    { "#VC", "VMM communication exception" }, { "#SX", "security exception" },
    { "#31", "reserved" },
};

constexpr u64 VECTOR_NMI = 2, VECTOR_DOUBLE_FAULT = 8, VECTOR_PAGE_FAULT = 14,
              VECTOR_MACHINE_CHECK = 18;

VectorHandler g_handlers[256];

// The armed fault catcher, if any (run_catching_faults). Only one at a time: tests are serial.
FaultJumpBuffer* g_catcher = nullptr;
FaultInfo* g_catcher_info = nullptr;

bool catchable(u64 vector)
{
    return vector != VECTOR_NMI && vector != VECTOR_DOUBLE_FAULT && vector != VECTOR_MACHINE_CHECK;
}

[[noreturn]] void report_page_fault(InterruptFrame const& frame)
{
    u64 address = read_cr2();
    u64 e = frame.error_code;
    char const* cause = (e & 1) ? "protection violation" : "page not present";
    char const* access = (e & 16) ? "instruction fetch" : ((e & 2) ? "write" : "read");
    char const* mode = (e & 4) ? "user" : "kernel";
    if (mm::is_stack_guard_page(address))
        panic_from_exception(frame, "kernel stack overflow: page fault (#PF) at %016lx in a stack guard page (%s)",
                             address, access);
    panic_from_exception(frame, "page fault (#PF) at address %016lx: %s, %s, %s mode (error code %lx)",
                         address, cause, access, mode, e);
}

// Returns only for an exception the kernel survives: a fault in ring 3 (the process layer
// decides) or a bad user pointer met inside a user-access routine (fixed up).
void handle_exception(InterruptFrame& frame)
{
    u64 v = frame.vector;
    if (is_user_frame(frame)) {
        handle_user_exception(frame);
        return;
    }
    if (v == VECTOR_PAGE_FAULT && fixup_user_access(frame, read_cr2()))
        return;
    if (g_catcher && catchable(v)) {
        FaultJumpBuffer* catcher = kstd::exchange(g_catcher, nullptr);
        *g_catcher_info = FaultInfo { v, frame.error_code, v == VECTOR_PAGE_FAULT ? read_cr2() : 0, frame.rip };
        fault_longjmp(catcher);
    }
    if (v == VECTOR_PAGE_FAULT)
        report_page_fault(frame);
    if (v == VECTOR_DOUBLE_FAULT && mm::is_stack_guard_page(read_cr2()))
        panic_from_exception(frame, "double fault (#DF): kernel stack overflow into the guard page at %016lx",
                             read_cr2());
    panic_from_exception(frame, "%s (%s), error code %lx", EXCEPTIONS[v].name, EXCEPTIONS[v].mnemonic,
                         frame.error_code);
}

}

char const* exception_name(u64 vector) { return vector < 32 ? EXCEPTIONS[vector].name : "external interrupt"; }
char const* exception_mnemonic(u64 vector) { return vector < 32 ? EXCEPTIONS[vector].mnemonic : "IRQ"; }

void set_vector_handler(u8 vector, VectorHandler handler) { g_handlers[vector] = handler; }

bool run_catching_faults(void (*fn)(void*), void* ctx, FaultInfo* info)
{
    FaultJumpBuffer buffer;
    if (fault_setjmp(&buffer) != 0) {
        // Arrived from fault_longjmp: *info was filled by the handler. An injected #NM leaves
        // CR0.TS set (its clean-up never ran): clear it so no state leaks out of the test.
        asm volatile("clts");
        return true;
    }
    g_catcher_info = info;
    g_catcher = &buffer;
    fn(ctx);
    g_catcher = nullptr;
    return false;
}

}

// Every external interrupt: IRQ context in, the top half (a vector handler installed by arch
// code, such as the LAPIC timer, or the IRQ core for controller lines), then the exit path that
// runs tasklets and may preempt the interrupted thread.
extern "C" void interrupt_dispatch(arch::InterruptFrame* frame)
{
    u64 vector = frame->vector;
    if (vector < arch::FIRST_EXTERNAL_VECTOR) {
        arch::handle_exception(*frame);
        if (arch::is_user_frame(*frame))
            arch::run_user_return_hook();
        return;
    }
    irq::enter_hardirq();
    if (vector == arch::SPURIOUS_VECTOR)
        irq::note_spurious_apic();   // the LAPIC's spurious vector takes no EOI
    else if (auto handler = arch::g_handlers[vector])
        handler(*frame);
    else if (vector - irq::FIRST_IRQ_VECTOR < irq::MAX_IRQ_LINES)
        irq::dispatch(irq::IrqLine(vector - irq::FIRST_IRQ_VECTOR));
    else
        log_warn("unexpected interrupt on vector %lu (no handler installed)\n", vector);
    irq::exit_hardirq();
    if (arch::is_user_frame(*frame))
        arch::run_user_return_hook();
}
