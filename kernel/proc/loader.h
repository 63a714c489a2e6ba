#pragma once
// Loading a program into a fresh address space: its PT_LOAD segments (ElfImage has checked
// them), then a stack at the top of the user half holding argc/argv (docs/user-space.md shows
// the layout). The program starts at its entry with rdi = argc, rsi = argv and a 16-byte
// aligned rsp, which user/lib's _start expects.
#include <kernel/mm/address_space.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace proc {

struct LoadedProgram {
    u64 entry;
    u64 stack_pointer;
    u64 argc;
    u64 argv;            // user address of the argv array
};

// Errors: ENOEXEC (ElfImage::parse's reasons, logged with `name`), E2BIG (argv over the
// limits of uapi/syscall.h), ENOMEM. On error the space may hold part of the program; the
// caller destroys it. Context: thread.
[[nodiscard]] ErrorOr<LoadedProgram> load_program(mm::AddressSpace& space, ReadonlyBytes file,
                                                  Span<char const* const> argv, char const* name);

}
