// Exceptions raised by ring-3 code: decoded into an arch::UserFault and handed to the process
// layer, which reports them and kills the process (include/arch/user.h). The kernel itself is
// never at risk here: the CPU has already switched to the thread's kernel stack.
#include "io_instruction.h"
#include "user_internal.h"
#include <arch/cpu.h>
#include <arch/user.h>
#include <kernel/panic.h>
#include <kstd/enforce.h>

namespace arch {

namespace {

constexpr u64 VECTOR_DIVIDE_ERROR = 0, VECTOR_BREAKPOINT = 3, VECTOR_INVALID_OPCODE = 6,
              VECTOR_GENERAL_PROTECTION = 13, VECTOR_PAGE_FAULT = 14;
// #PF error code bits (SDM vol. 3A, 4.7).
constexpr u64 PF_PRESENT = 1, PF_WRITE = 2, PF_INSTRUCTION_FETCH = 16;

UserFaultHandler g_handler = nullptr;

UserFaultKind kind_of(u64 vector)
{
    switch (vector) {
    case VECTOR_PAGE_FAULT: return UserFaultKind::PageFault;
    case VECTOR_GENERAL_PROTECTION: return UserFaultKind::GeneralProtection;
    case VECTOR_INVALID_OPCODE: return UserFaultKind::InvalidOpcode;
    case VECTOR_DIVIDE_ERROR: return UserFaultKind::DivideError;
    case VECTOR_BREAKPOINT: return UserFaultKind::Breakpoint;
    default: return UserFaultKind::Other;
    }
}

// A #GP with error code 0 at an in/out instruction: the I/O permission check failed (SDM vol. 1,
// 19.5). The instruction bytes come from user memory, read with the fault-safe copy.
void decode_port_access(InterruptFrame const& frame, UserFault& fault)
{
    if (fault.error_code != 0)
        return;
    u8 code[15] = {};
    usize length = sizeof(code);
    if (frame.rip >= USER_LIMIT)
        return;
    if (USER_LIMIT - frame.rip < length)
        length = USER_LIMIT - frame.rip;
    // An instruction can end on a page that is not mapped; try shorter reads down to one byte.
    while (length > 0 && !copy_from_user(code, frame.rip, length))
        length = length > 8 ? 8 : length - 1;
    IoInstruction io = decode_io_instruction(kstd::Span<u8 const>(code, length));
    if (!io.valid)
        return;
    fault.io_instruction = true;
    fault.io_access = io.access;
    fault.io_width = io.width;
    fault.io_port = io.port_in_dx ? u16(frame.rdx) : io.immediate_port;
}

}

void set_user_fault_handler(UserFaultHandler handler) { g_handler = handler; }

void handle_user_exception(InterruptFrame& frame)
{
    if (!g_handler)
        panic_from_exception(frame, "%s (%s) in user mode, and no process layer to report it to",
                             exception_name(frame.vector), exception_mnemonic(frame.vector));
    UserFault fault {};
    fault.kind = kind_of(frame.vector);
    fault.vector = frame.vector;
    fault.error_code = frame.error_code;
    fault.rip = frame.rip;
    if (fault.kind == UserFaultKind::PageFault) {
        fault.address = read_cr2();
        fault.present = frame.error_code & PF_PRESENT;
        fault.write = frame.error_code & PF_WRITE;
        fault.instruction_fetch = frame.error_code & PF_INSTRUCTION_FETCH;
    } else if (fault.kind == UserFaultKind::GeneralProtection) {
        decode_port_access(frame, fault);
    }
    g_handler(frame, fault);
}

}
