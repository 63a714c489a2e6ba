#pragma once
// User processes (docs/user-space.md): a program from the initial RAM disk running in ring 3
// in an address space of its own, with its own file-descriptor table, as one kernel thread.
//
//   proc::SpawnOptions options { .argv = args, .stdio = { tty, tty, tty } };
//   auto pid = TRY(proc::spawn("/bin/sh", options));
//   int status = TRY(proc::wait(pid, timeout_ns));      // uapi/process.h reads it
//
// A process ends by exit(), by a fault (reported on the console: cause, address, the RIP named
// from the program's own symbols; only that process dies), or by proc::kill(). Its files are
// closed, the ports, device mappings and interrupt files it held are given back, its memory is
// freed; it stays a zombie until its parent (a process, or the kernel code that spawned it)
// collects the status with wait. A process whose parent is gone is collected at once.
#include <kernel/dev/file.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/types.h>
#include <kstd/unique_ptr.h>

namespace proc {

using Pid = i32;

inline constexpr usize MAX_PROCESSES = 64;
inline constexpr usize MAX_FILES = 32;        // descriptors per process
inline constexpr usize NAME_SIZE = 32;

struct SpawnOptions {
    Span<char const* const> argv {};          // argv[0] defaults to the path
    // Descriptors 0, 1 and 2 (stdin, stdout, stderr) of a process the kernel starts: descriptor
    // i gets files[stdio[i]], so one TTY serves all three with stdio = {0, 0, 0}. The process
    // owns the Files (closed when the last descriptor using one closes); null leaves a
    // descriptor closed.
    OwnPtr<dev::File> files[3] {};
    u8 stdio[3] { 0, 1, 2 };
};

// Starts `path` ("/bin/NAME" or "NAME") as a child of the kernel. Errors: ENOENT (no such
// program), ENOEXEC (not a valid program), E2BIG (argv too long), EAGAIN (process table full),
// ENOMEM. Context: thread.
[[nodiscard]] ErrorOr<Pid> spawn(StringView path, SpawnOptions options);

// Waits for a process the kernel spawned to end and collects it: returns its wait status
// (uapi/process.h). ECHILD: not a child of the kernel (or collected already); ETIMEDOUT (it
// keeps running). Context: thread.
[[nodiscard]] ErrorOr<int> wait(Pid pid, u64 timeout_ns);

// Asks a process to end (SIGKILL status): it ends the next time it is about to return to ring 3.
// A process asleep in a system call (reading a device, waiting for a child, sleeping) is woken:
// the call fails with EINTR and the process ends on its way out. ESRCH: no such process.
// Context: thread.
[[nodiscard]] ErrorOr<void> kill(Pid pid);

// For listings (the monitor's `ps`) and tests.
struct ProcessInfo {
    Pid pid;
    Pid parent;            // 0: the kernel
    char name[NAME_SIZE];
    bool zombie;
    bool asleep;           // in a system call, waiting (a device, a child, a deadline)
    int status;            // wait status, once a zombie
    u64 memory_frames;     // frames of its own memory (program, stack)
    u32 open_files;
    u32 ports_granted;     // ports ioperm has given it
    u32 device_mappings;
};
// Copies up to out.size() entries, returns how many processes there are. Context: thread.
usize list(Span<ProcessInfo> out);
usize count();

// `init=PROGRAM [ARGS]` on the command line: runs it on the console and waits for it (the
// monitor calls this before its first prompt). Context: thread.
void run_init_program();

// Boot: installs the system-call, fault and switch hooks and finds the initial RAM disk (the
// GRUB module whose argument is "initrd"). Call after sched::init and the device classes.
// Context: boot.
void init();

}
