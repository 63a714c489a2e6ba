#pragma once
// The system-call interface between user programs (user/) and the kernel (kernel/syscall): the
// numbers, and the register convention (docs/user-space.md).
//
//   SYSCALL with rax = number, arguments in rdi, rsi, rdx, r10, r8, r9 (rcx and r11 are
//   clobbered by the instruction itself). The result comes back in rax: a value >= 0, or
//   -errno (-14 is EFAULT), as Linux's raw system calls do. The user library turns a negative
//   result into -1 and errno.
//
// Every pointer argument is checked (it must lie in the user half, and every byte it covers
// must be mapped; for output, writable): a bad one fails with EFAULT, never with a kernel panic.
#include <kstd/types.h>

namespace uapi {

enum class Syscall : u64 {
    Exit = 0,      // exit(code)                                         never returns
    Read = 1,      // read(fd, buffer, count) -> bytes read (0 = end of file)
    Write = 2,     // write(fd, data, count) -> bytes written
    Open = 3,      // open(path, flags) -> fd                          (files.h: OPEN_*)
    Close = 4,     // close(fd) -> 0
    Lseek = 5,     // lseek(fd, offset, whence) -> new position          (files.h: SEEK_*)
    Ioctl = 6,     // ioctl(fd, request, argument) -> request's result  (ioctl.h)
    Poll = 7,      // poll(PollFd* fds, count, timeout_ms) -> ready count (-1 ms: for ever)
    Dup = 8,       // dup(fd) -> the lowest free fd, sharing fd's open file
    Dup2 = 9,      // dup2(fd, target) -> target (closed first if open)
    Spawn = 10,    // spawn(path, argv) -> pid of a new process running path; fds inherited
    Exec = 11,     // exec(path, argv): replaces the calling program; returns only on error
    Wait = 12,     // wait(pid, int* status) -> pid of an ended child (pid -1: any child)
    Sleep = 13,    // sleep(nanoseconds) -> 0
    Getpid = 14,   // getpid() -> pid
    Mmap = 15,     // mmap(fd, length, prot, flags, offset) -> address   (memory.h)
    Munmap = 16,   // munmap(address, length) -> 0
    Ioperm = 17,   // ioperm(first_port, count, on) -> 0                 (grants ports to ring 3)
    Readdir = 18,  // readdir(path, index, DirEntry*) -> 0; ENOENT past the last entry
    Clock = 19,    // clock() -> nanoseconds since boot (monotonic)
    Mapinfo = 20,  // mapinfo(address, MapInfo*) -> 0: what a user address maps
    Getppid = 21,  // getppid() -> the parent's pid (0 for a process the kernel started)
    Ping = 22,     // ping(PingRequest const*, PingReply*) -> 0: one ICMP echo   (ping.h)
    Count
};

// Limits the kernel enforces on arguments.
inline constexpr u64 PATH_MAX = 128;          // bytes of a path, NUL included (ENAMETOOLONG)
inline constexpr u64 ARG_MAX_COUNT = 32;      // argv entries (E2BIG)
inline constexpr u64 ARG_MAX_BYTES = 4096;    // bytes of all argv strings together (E2BIG)
inline constexpr u64 IO_MAX = 1 << 20;        // one read/write moves at most 1 MiB (shorter count)
inline constexpr u64 POLL_MAX = 16;           // PollFds per poll (EINVAL above)

}
