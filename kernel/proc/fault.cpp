// A fault in a process kills that process, never the kernel (include/arch/user.h delivers it
// here on the process's own kernel stack). The report names what a student needs to find the
// bug: the cause in the lecture's words, the address, the port for a denied in/out, and the
// faulting RIP and the caller chain named from the program's own symbol table:
//
//   cat[4]: killed: page fault (#PF) at address 0000000000000000: page not present, read
//     at rip 0000000000401013 main+0x13 (/bin/cat)
//     called from 0000000000401f40 start_main+0x20
#include "elf_image.h"
#include <kernel/proc/current.h>
#include <arch/user.h>
#include <kernel/demangle.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <uapi/memory.h>
#include <uapi/process.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

constexpr usize MAX_CALLERS = 6;

int signal_for(arch::UserFault const& fault)
{
    switch (fault.kind) {
    case arch::UserFaultKind::InvalidOpcode: return uapi::SIGNAL_ILLEGAL;
    case arch::UserFaultKind::DivideError: return uapi::SIGNAL_ARITHMETIC;
    case arch::UserFaultKind::Breakpoint: return uapi::SIGNAL_TRAP;
    default: return uapi::SIGNAL_SEGV;
    }
}

char const* width_suffix(u8 width) { return width == 1 ? "b" : width == 2 ? "w" : "l"; }

void describe_cause(kstd::StringBuilder& out, arch::UserFault const& fault)
{
    out.append("killed: %s (%s)", arch::exception_name(fault.vector), arch::exception_mnemonic(fault.vector));
    if (fault.kind == arch::UserFaultKind::PageFault) {
        out.append(" at address %016lx: %s, %s", fault.address,
                   fault.present ? "protection violation" : "page not present",
                   fault.instruction_fetch ? "instruction fetch" : fault.write ? "write" : "read");
        if (fault.address >= arch::USER_LIMIT)
            out.append(" (a kernel address)");
        else if (fault.address >= uapi::STACK_TOP - uapi::STACK_SIZE - 4096 && fault.address < uapi::STACK_TOP - uapi::STACK_SIZE)
            out.append(" (stack overflow: the guard page below the stack)");
    } else if (fault.io_instruction) {
        out.append(": %s%s %s port %#x, which ioperm did not grant", fault.io_access == arch::PortAccess::In ? "in" : "out",
                   width_suffix(fault.io_width), fault.io_access == arch::PortAccess::In ? "from" : "to", fault.io_port);
    } else if (fault.kind == arch::UserFaultKind::InvalidOpcode) {
        out.append(": an invalid instruction (user programs have no FPU/SSE state)");
    } else if (fault.error_code) {
        out.append(", error code %#lx", fault.error_code);
    }
}

void describe_address(kstd::StringBuilder& out, SymbolTable const& symbols, u64 address)
{
    auto symbol = symbols.lookup(address);
    if (!symbol.has_value()) {
        out.append("??");
        return;
    }
    char name[96];
    if (demangle_name(symbol->name, name, sizeof(name)))
        out.append("%s+%#lx", name, symbol->offset);
    else
        out.append("%.*s+%#lx", int(symbol->name.length()), symbol->name.characters(), symbol->offset);
}

// The program is built with frame pointers: [rbp] = caller's rbp, [rbp + 8] = return address.
void print_callers(SymbolTable const& symbols, u64 rbp)
{
    for (usize depth = 0; depth < MAX_CALLERS && rbp && rbp % 8 == 0; ++depth) {
        u64 frame[2];
        if (!arch::copy_from_user(frame, rbp, sizeof(frame)) || frame[1] == 0)
            return;
        kstd::FormatBuffer<160> line;
        line.append("  called from %016lx ", frame[1]);
        describe_address(line, symbols, frame[1] - 1);
        log_error("%s\n", line.c_str());
        if (frame[0] <= rbp)
            return;   // frames grow upward as we walk: anything else is a corrupt chain
        rbp = frame[0];
    }
}

void on_user_fault(arch::InterruptFrame& registers, arch::UserFault const& fault)
{
    Process* process = current();
    if (!process)
        panic_from_exception(registers, "%s in ring 3 on a thread that belongs to no process",
                             arch::exception_name(fault.vector));
    SymbolTable symbols;
    if (auto image = ElfImage::parse(process->program, uapi::PROGRAM_BASE, uapi::DEVICE_MAP_BASE); !image.is_error())
        symbols = image.value().symbols();

    kstd::FormatBuffer<256> cause;
    cause.append("%s[%d]: ", process->name, process->pid);
    describe_cause(cause, fault);
    log_error("%s\n", cause.c_str());
    kstd::FormatBuffer<160> where;
    where.append("  at rip %016lx ", fault.rip);
    describe_address(where, symbols, fault.rip);
    where.append(" (/bin/%s)", process->name);
    log_error("%s\n", where.c_str());
    print_callers(symbols, registers.rbp);
    exit_current(uapi::wait_status_signaled(signal_for(fault)));
}

}

void install_fault_handler() { arch::set_user_fault_handler(on_user_fault); }

}
