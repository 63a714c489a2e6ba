// Port-I/O instruction decoding for #GP reports (arch/x86_64/io_instruction.h).
#include "io_instruction.h"
#include <kstd/enforce.h>

namespace arch {

namespace {

constexpr usize MAX_INSTRUCTION_LENGTH = 15;

bool is_legacy_prefix(u8 byte)
{
    switch (byte) {
    case 0x66: case 0x67: case 0xF0: case 0xF2: case 0xF3:
    case 0x26: case 0x2E: case 0x36: case 0x3E: case 0x64: case 0x65:
        return true;
    default:
        return false;
    }
}

}

IoInstruction decode_io_instruction(kstd::Span<u8 const> code)
{
    usize limit = code.size() < MAX_INSTRUCTION_LENGTH ? code.size() : MAX_INSTRUCTION_LENGTH;
    bool operand_16 = false;
    usize i = 0;
    while (i < limit && is_legacy_prefix(code[i])) {
        operand_16 = operand_16 || code[i] == 0x66;
        ++i;
    }
    if (i < limit && (code[i] & 0xF0) == 0x40)   // REX: ignored by port I/O
        ++i;
    if (i >= limit)
        return {};
    u8 opcode = code[i];
    IoInstruction decoded;
    decoded.valid = true;
    u8 wide = operand_16 ? 2 : 4;
    switch (opcode) {
    case 0xE4: case 0xE5: case 0xE6: case 0xE7:
        if (i + 1 >= limit)
            return {};
        decoded.immediate_port = code[i + 1];
        break;
    case 0xEC: case 0xED: case 0xEE: case 0xEF:
        decoded.port_in_dx = true;
        break;
    case 0x6C: case 0x6D: case 0x6E: case 0x6F:
        decoded.port_in_dx = true;
        decoded.string = true;
        break;
    default:
        return {};
    }
    // Even opcodes move a byte, odd ones a word or doubleword; bit 1 is the direction for the
    // E4-EF group (E6/E7/EE/EF are OUT), bit 1 for INS/OUTS too (6E/6F are OUTS).
    decoded.width = (opcode & 1) ? wide : 1;
    decoded.access = (opcode & 2) ? PortAccess::Out : PortAccess::In;
    return decoded;
}

}
