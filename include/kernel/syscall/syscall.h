#pragma once
// The system-call layer (kernel/syscall): the table behind SYSCALL (include/uapi/syscall.h has
// the numbers and the convention), and the counters the `syscalls` monitor command prints.
#include <kstd/types.h>

namespace syscall {

// Installs the dispatcher on the SYSCALL entry (arch::init_syscalls). Context: boot.
void init();

// How often each system call ran and how often it failed since boot. Context: any.
struct CallStats {
    char const* name;
    u64 calls;
    u64 errors;
};
CallStats stats(u64 number);
u64 call_count();   // every system call, valid number or not

}
