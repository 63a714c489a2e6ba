#pragma once
// Port I/O for user-mode drivers. Ring 3 may only touch the ports ioperm() granted (the TSS
// I/O permission bitmap); any other port raises #GP and the kernel ends the program with a
// message that names the port. Implemented in user/lib/arch/x86_64/port_io.S.
#include <kstd/types.h>

extern "C" {
u8 port_in8(u16 port);
u16 port_in16(u16 port);
u32 port_in32(u16 port);
void port_out8(u16 port, u8 value);
void port_out16(u16 port, u16 value);
void port_out32(u16 port, u32 value);
}
