#pragma once
// Recognising the port-I/O instructions (IN, OUT, INS, OUTS) at a faulting RIP, so that a #GP
// raised by a port the process was not granted can name the port (SDM vol. 2: IN "E4/E5/EC/ED",
// OUT "E6/E7/EE/EF", INS "6C/6D", OUTS "6E/6F"). Portable: the host unit tests decode byte
// strings with it. Only arch/x86_64 uses it.
#include <arch/user.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace arch {

struct IoInstruction {
    bool valid { false };        // the bytes start with a port-I/O instruction
    PortAccess access { PortAccess::In };
    u8 width { 1 };              // bytes per access: 1, 2 or 4
    bool port_in_dx { false };   // the port is DX (else the immediate byte)
    u8 immediate_port { 0 };
    bool string { false };       // INS/OUTS
};

// Decodes the instruction at the start of `code` (at most 15 bytes are looked at). Legacy
// prefixes (66 operand size, 67, F2/F3 REP, F0, segment overrides) and a REX prefix are
// skipped; 66 makes a 16-bit access. Anything else gives valid = false. Context: any.
IoInstruction decode_io_instruction(kstd::Span<u8 const> code);

}
