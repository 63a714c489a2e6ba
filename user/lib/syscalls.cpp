// The system-call wrappers (user/lib/include/conduit/sys.h): each passes its arguments to
// raw_syscall and turns a -errno result into -1 and errno.
#include <conduit/sys.h>
#include <kstd/enforce.h>

int errno = 0;

namespace {

using uapi::Syscall;

long call(Syscall number, long a0 = 0, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0)
{
    long result = raw_syscall(long(number), a0, a1, a2, a3, a4);
    if (result < 0) {
        errno = int(-result);
        return -1;
    }
    return result;
}

long address(void const* pointer) { return long(reinterpret_cast<uptr>(pointer)); }

}

void exit(int code)
{
    raw_syscall(long(Syscall::Exit), code);
    __builtin_unreachable();
}

long read(int fd, void* buffer, usize count) { return call(Syscall::Read, fd, address(buffer), long(count)); }
long write(int fd, void const* data, usize count) { return call(Syscall::Write, fd, address(data), long(count)); }
int open(char const* path, u32 flags) { return int(call(Syscall::Open, address(path), flags)); }
int close(int fd) { return int(call(Syscall::Close, fd)); }
long lseek(int fd, long offset, u32 whence) { return call(Syscall::Lseek, fd, offset, whence); }
long ioctl(int fd, u32 request, uptr argument) { return call(Syscall::Ioctl, fd, request, long(argument)); }
int poll(uapi::PollFd* fds, usize count, long timeout_ms)
{
    return int(call(Syscall::Poll, address(fds), long(count), timeout_ms));
}
int dup(int fd) { return int(call(Syscall::Dup, fd)); }
int dup2(int fd, int target) { return int(call(Syscall::Dup2, fd, target)); }
int spawn(char const* path, char const* const* argv) { return int(call(Syscall::Spawn, address(path), address(argv))); }
int exec(char const* path, char const* const* argv) { return int(call(Syscall::Exec, address(path), address(argv))); }
int wait(int pid, int* status) { return int(call(Syscall::Wait, pid, address(status))); }
int sleep_ns(u64 nanoseconds) { return int(call(Syscall::Sleep, long(nanoseconds))); }
int sleep_ms(u64 milliseconds) { return sleep_ns(milliseconds * 1000000); }
int getpid() { return int(call(Syscall::Getpid)); }
int getppid() { return int(call(Syscall::Getppid)); }

void* mmap(int fd, usize length, u32 prot, u32 flags, u64 offset)
{
    long result = raw_syscall(long(Syscall::Mmap), fd, long(length), prot, flags, long(offset));
    if (result < 0 && result > -4096) {
        errno = int(-result);
        return MAP_FAILED;
    }
    return reinterpret_cast<void*>(result);
}

int munmap(void* address_, usize length) { return int(call(Syscall::Munmap, address(address_), long(length))); }
int ioperm(u32 first_port, u32 count, int on) { return int(call(Syscall::Ioperm, first_port, count, on)); }
int readdir(char const* path, u64 index, uapi::DirEntry* entry)
{
    return int(call(Syscall::Readdir, address(path), long(index), address(entry)));
}
u64 clock_ns() { return u64(raw_syscall(long(Syscall::Clock))); }
int mapinfo(void const* address_, uapi::MapInfo* info)
{
    return int(call(Syscall::Mapinfo, address(address_), address(info)));
}

int ping(uapi::PingRequest const* request, uapi::PingReply* reply)
{
    return int(call(Syscall::Ping, address(request), address(reply)));
}

char const* strerror(int code) { return kstd::errno_text(code); }
