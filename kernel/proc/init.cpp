// Bringing up processes: the hooks that tie the scheduler and the CPU's ring-3 entries to the
// process layer (include/kernel/proc/process.h, proc::init).
#include "initrd.h"
#include <kernel/proc/current.h>
#include <arch/mmu.h>
#include <arch/user.h>
#include <kernel/boot_info.h>
#include <kernel/kernel.h>
#include <kernel/mm/layout.h>
#include <uapi/memory.h>
#include <kstd/enforce.h>

namespace proc {

void install_fault_handler();   // fault.cpp

namespace {

static_assert(arch::USER_LIMIT == mm::USER_SPACE_LIMIT);
static_assert(uapi::STACK_TOP == mm::USER_SPACE_LIMIT);

// Runs with interrupts disabled before every switch: a process's thread gets its ring-0 entry
// stack, its address space and its I/O permission bitmap. Kernel threads keep whatever address
// space is loaded (they never touch the user half), so switching between a process and kernel
// threads costs no CR3 reload; the process layer switches to the kernel's tables itself before
// it frees an address space.
void on_switch(sched::Thread* next)
{
    if (u64 top = sched::kernel_stack_top(next))
        arch::set_kernel_entry_stack(top);
    auto* process = static_cast<Process*>(sched::user_context(next));
    if (!process || !process->space)
        return;
    arch::switch_page_table_root(process->space->root());
    process->io.activate();
}

}

void init()
{
    if (auto wrong = kernel_cmdline().get(StringView("selftest.wrong")); wrong.has_value())
        IoPermissions::select_variant(*wrong);
    init_initrd(boot_info());
    sched::set_switch_hook(on_switch);
    install_fault_handler();
    arch::set_user_return_hook(check_pending_kill);
}

}
