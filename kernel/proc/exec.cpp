// exec(): the calling process runs another program (kernel/proc/process_impl.h). Everything is
// prepared in a new address space first, so a failed exec leaves the caller exactly as it was
// (it gets the error back); only when the new program is ready does the old one go.
//
// What survives: the pid, the parent, the open files (there is no close-on-exec) and the ports
// granted by ioperm (as in Linux). What does not: the old memory and the device mappings.
#include "initrd.h"
#include "loader.h"
#include <kernel/proc/current.h>
#include <arch/mmu.h>
#include <arch/user.h>
#include <kernel/irq_flags.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace proc {

ErrorOr<void> exec_current(StringView path, Span<char const* const> argv, arch::InterruptFrame& registers)
{
    Process* process = current();
    VERIFY(process);
    ArchiveFile program = TRY(find_program(path));
    auto space = TRY(mm::AddressSpace::create());
    LoadedProgram loaded = TRY(load_program(*space, program.data, argv, process->name));

    process->device_maps.release_all(process->space.ptr());
    OwnPtr<mm::AddressSpace> old;
    {
        InterruptsDisabled guard;
        arch::switch_page_table_root(space->root());
        old = kstd::move(process->space);
        process->space = kstd::move(space);
    }
    old = nullptr;   // no longer current: its tables and frames can go

    kstd::copy_string(process->name, sizeof(process->name), base_name(program.name));
    process->program = program.data;
    registers = arch::initial_user_registers(loaded.entry, loaded.stack_pointer, loaded.argc, loaded.argv);
    return {};
}

}
