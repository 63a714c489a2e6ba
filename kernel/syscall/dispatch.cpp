// The system-call dispatcher: the table from numbers to functions, the conversion of their
// ErrorOr results into rax, and per-call counters (include/kernel/syscall/syscall.h).
#include "calls.h"
#include <arch/user.h>
#include <kernel/dev/object.h>
#include <kernel/panic.h>
#include <kernel/syscall/syscall.h>
#include <uapi/syscall.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

using uapi::Syscall;

struct Entry {
    char const* name;
    Result (*handler)(Arguments const& args);
};

// Indexed by number; a gap (none today) would be a null handler: ENOSYS.
constexpr Entry TABLE[u64(Syscall::Count)] = {
    [u64(Syscall::Exit)] = { "exit", sys_exit },
    [u64(Syscall::Read)] = { "read", sys_read },
    [u64(Syscall::Write)] = { "write", sys_write },
    [u64(Syscall::Open)] = { "open", sys_open },
    [u64(Syscall::Close)] = { "close", sys_close },
    [u64(Syscall::Lseek)] = { "lseek", sys_lseek },
    [u64(Syscall::Ioctl)] = { "ioctl", sys_ioctl },
    [u64(Syscall::Poll)] = { "poll", sys_poll },
    [u64(Syscall::Dup)] = { "dup", sys_dup },
    [u64(Syscall::Dup2)] = { "dup2", sys_dup2 },
    [u64(Syscall::Spawn)] = { "spawn", sys_spawn },
    [u64(Syscall::Exec)] = { "exec", sys_exec },
    [u64(Syscall::Wait)] = { "wait", sys_wait },
    [u64(Syscall::Sleep)] = { "sleep", sys_sleep },
    [u64(Syscall::Getpid)] = { "getpid", sys_getpid },
    [u64(Syscall::Mmap)] = { "mmap", sys_mmap },
    [u64(Syscall::Munmap)] = { "munmap", sys_munmap },
    [u64(Syscall::Ioperm)] = { "ioperm", sys_ioperm },
    [u64(Syscall::Readdir)] = { "readdir", sys_readdir },
    [u64(Syscall::Clock)] = { "clock", sys_clock },
    [u64(Syscall::Mapinfo)] = { "mapinfo", sys_mapinfo },
    [u64(Syscall::Getppid)] = { "getppid", sys_getppid },
    [u64(Syscall::Ping)] = { "ping", sys_ping },
};

dev::Counter g_calls[u64(Syscall::Count)];
dev::Counter g_errors[u64(Syscall::Count)];
dev::Counter g_total;

void dispatch(arch::InterruptFrame& registers)
{
    g_total.add();
    u64 number = registers.rax;
    proc::Process* process = proc::current();
    if (!process) [[unlikely]]
        panic("SYSCALL %lu from a thread that belongs to no process", number);
    if (number >= u64(Syscall::Count) || !TABLE[number].handler) {
        registers.rax = u64(-i64(ENOSYS));
        return;
    }
    g_calls[number].add();
    Arguments args { registers.rdi, registers.rsi, registers.rdx, registers.r10, registers.r8, registers.r9,
                     registers, *process };
    Result result = TABLE[number].handler(args);
    if (result.is_error()) {
        g_errors[number].add();
        registers.rax = u64(-i64(result.error().code()));
    } else {
        registers.rax = result.value();
    }
}

}

ErrorOr<dev::Ref<proc::OpenFile>> file_of(Arguments const& args, u64 fd)
{
    if (i64(fd) < 0 || fd >= u64(proc::MAX_FILES))
        return Error::from_errno(EBADF);
    return args.process.files.get(int(fd));
}

void init() { arch::init_syscalls(dispatch); }

CallStats stats(u64 number)
{
    if (number >= u64(Syscall::Count))
        return { "?", 0, 0 };
    return { TABLE[number].name, g_calls[number].get(), g_errors[number].get() };
}

u64 call_count() { return g_total.get(); }

}
