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

// Address of a function by name, 0 when unknown (tests, gdb-style helpers).
u64 address_of(char const* name);

// Prints "  #i 0xADDRESS function+0xOFF" lines for the given return addresses.
void print_backtrace(u64 const* addresses, usize count);
// Backtrace of the caller.
void print_current_backtrace();

}
