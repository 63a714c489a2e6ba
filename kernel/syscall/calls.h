#pragma once
// The system calls, one function each (kernel/syscall/*.cpp), and what the dispatcher hands
// them. Each returns its result or an errno; dispatch.cpp turns an error into -errno in rax.
#include <arch/interrupts.h>
#include <kernel/proc/current.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace syscall {

struct Arguments {
    u64 a0, a1, a2, a3, a4, a5;          // rdi, rsi, rdx, r10, r8, r9
    arch::InterruptFrame& registers;     // the caller's saved registers (exec replaces them)
    proc::Process& process;              // the caller
};

using Result = ErrorOr<u64>;

// files.cpp
Result sys_read(Arguments const& args);
Result sys_write(Arguments const& args);
Result sys_open(Arguments const& args);
Result sys_close(Arguments const& args);
Result sys_lseek(Arguments const& args);
Result sys_dup(Arguments const& args);
Result sys_dup2(Arguments const& args);
// ioctl.cpp, poll.cpp, readdir.cpp
Result sys_ioctl(Arguments const& args);
Result sys_poll(Arguments const& args);
Result sys_readdir(Arguments const& args);
// process_calls.cpp
Result sys_exit(Arguments const& args);
Result sys_spawn(Arguments const& args);
Result sys_exec(Arguments const& args);
Result sys_wait(Arguments const& args);
Result sys_sleep(Arguments const& args);
Result sys_getpid(Arguments const& args);
Result sys_getppid(Arguments const& args);
Result sys_clock(Arguments const& args);
// memory_calls.cpp
Result sys_mmap(Arguments const& args);
Result sys_munmap(Arguments const& args);
Result sys_mapinfo(Arguments const& args);
// ioperm.cpp
Result sys_ioperm(Arguments const& args);
// ping.cpp
Result sys_ping(Arguments const& args);

// The open file behind a descriptor of the caller. EBADF.
ErrorOr<dev::Ref<proc::OpenFile>> file_of(Arguments const& args, u64 fd);

}
