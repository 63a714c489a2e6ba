#pragma once
// The kernel's own symbol table, read from the ELF sections GRUB loaded with the image, so
// panics and `backtrace` print function names without any host tool.
#include <kernel/boot_info.h>
#include <kstd/types.h>

namespace symbols {

void init(BootInfo const& info);
bool available();
usize count();

// Writes "function+0x1c" (or "0x..." when unknown) into out. Context: any.
void describe(u64 address, char* out, usize capacity);

// Start address of the function containing `address`, 0 when unknown.
u64 function_start(u64 address);

// Address of a function by name, 0 when unknown (tests, gdb-style helpers).
u64 address_of(char const* name);

// Prints "  #i ADDRESS function+0xOFF" lines. addresses[0] is an exact instruction address when
// first_is_pc (the faulting RIP of an exception); every other entry is a return address.
void print_backtrace(u64 const* addresses, usize count, bool first_is_pc = false);
// Backtrace of the caller.
void print_current_backtrace();

}
