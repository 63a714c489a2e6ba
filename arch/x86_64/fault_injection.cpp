// Deliberate exceptions for tests (include/arch/fault_injection.h).
#include <arch/cpu.h>
#include <arch/fault_injection.h>
#include <kstd/enforce.h>

namespace arch {

namespace {
constexpr u64 CR0_TS = 1u << 3;
constexpr u64 RFLAGS_TF = 1u << 8;

// noinline keeps each fault in its own named frame, so backtraces in reports read well.
[[gnu::noinline]] void divide_by_zero()
{
    u64 volatile divisor = 0;
    u64 volatile result = 1000 / divisor;
    (void)result;
}

[[gnu::noinline]] void single_step()
{
    // Set TF: the instruction after popfq completes, then #DB fires; clear TF again after.
    asm volatile("pushfq; orq %0, (%%rsp); popfq; nop; pushfq; andq %1, (%%rsp); popfq"
                 ::"i"(RFLAGS_TF), "i"(~RFLAGS_TF) : "memory", "cc");
}

[[gnu::noinline]] void x87_with_task_switched()
{
    write_cr0(read_cr0() | CR0_TS);
    asm volatile("fnop");   // #NM: any x87 instruction while CR0.TS is set
    write_cr0(read_cr0() & ~CR0_TS);
}

[[gnu::noinline]] void read_noncanonical()
{
    u64 volatile* p = reinterpret_cast<u64 volatile*>(0x0000800000000000ull);
    (void)*p;
}

[[gnu::noinline]] void read_unmapped()
{
    u64 volatile* p = reinterpret_cast<u64 volatile*>(INJECTED_PAGE_FAULT_ADDRESS);
    (void)*p;
}
}

void inject_fault(InjectedFault fault)
{
    switch (fault) {
    case InjectedFault::DivideError: divide_by_zero(); break;
    case InjectedFault::Debug: single_step(); break;
    case InjectedFault::Breakpoint: asm volatile("int3"); break;
    case InjectedFault::InvalidOpcode: asm volatile("ud2"); break;
    case InjectedFault::DeviceNotAvailable: x87_with_task_switched(); break;
    case InjectedFault::GeneralProtection: read_noncanonical(); break;
    case InjectedFault::PageFault: read_unmapped(); break;
    case InjectedFault::AlignmentCheck: break;
    }
}

void trigger_triple_fault()
{
    struct [[gnu::packed]] {
        u16 limit;
        u64 base;
    } empty_idt { 0, 0 };
    disable_interrupts();
    asm volatile("lidt %0; int3" ::"m"(empty_idt));
    for (;;)
        halt();
}

}
