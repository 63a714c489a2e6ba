#pragma once
// System calls for user programs, in the POSIX style: each returns its result, or -1 with the
// reason in `errno` (include/uapi/syscall.h documents each call; kstd/errno.h the codes).
//
//     int fd = open("/dev/ttyS0", OPEN_READ_WRITE);
//     if (fd < 0)
//         return fail("open /dev/ttyS0");          // prints "open /dev/ttyS0: ENOENT (...)"
//
// Programs are single-threaded; errno is one global.
#include <kstd/errno.h>
#include <kstd/types.h>
#include <uapi/files.h>
#include <uapi/memory.h>
#include <uapi/ping.h>
#include <uapi/process.h>
#include <uapi/syscall.h>

using uapi::OPEN_NONBLOCK;
using uapi::OPEN_READ;
using uapi::OPEN_READ_WRITE;
using uapi::OPEN_WRITE;

extern int errno;

// The bare instruction: rax = number, arguments as documented. Returns >= 0 or -errno.
extern "C" long raw_syscall(long number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0,
                            long a5 = 0);

[[noreturn]] void exit(int code);
long read(int fd, void* buffer, usize count);
long write(int fd, void const* data, usize count);
int open(char const* path, u32 flags);
int close(int fd);
long lseek(int fd, long offset, u32 whence);
// `argument` is a number or a pointer, as the request says (include/uapi/ioctl.h).
long ioctl(int fd, u32 request, uptr argument = 0);
int poll(uapi::PollFd* fds, usize count, long timeout_ms);
int dup(int fd);
int dup2(int fd, int target);
// argv ends with a null pointer; argv = nullptr passes just the path as argv[0].
int spawn(char const* path, char const* const* argv);
int exec(char const* path, char const* const* argv);
int wait(int pid, int* status);
int sleep_ns(u64 nanoseconds);
int sleep_ms(u64 milliseconds);
int getpid();
int getppid();
inline void* const MAP_FAILED = reinterpret_cast<void*>(-1L);
void* mmap(int fd, usize length, u32 prot, u32 flags, u64 offset);
int munmap(void* address, usize length);
int ioperm(u32 first_port, u32 count, int on);
int readdir(char const* path, u64 index, uapi::DirEntry* entry);
u64 clock_ns();
int mapinfo(void const* address, uapi::MapInfo* info);
// One ICMP echo: 0 with the reply filled in, or -1 (ETIMEDOUT, EHOSTUNREACH, ENETUNREACH, ...).
int ping(uapi::PingRequest const* request, uapi::PingReply* reply);

// "EFAULT (bad address)" for an errno value.
char const* strerror(int code);
