#pragma once
// The Process object and the operations on the calling process, for kernel/proc itself and
// the system-call layer (kernel/syscall). Everything else uses include/kernel/proc/process.h.
#include <kernel/proc/device_maps.h>
#include <kernel/proc/fd_table.h>
#include <kernel/proc/io_permissions.h>
#include <arch/interrupts.h>
#include <kernel/mm/address_space.h>
#include <kernel/proc/process.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kstd/intrusive_list.h>
#include <kstd/unique_ptr.h>

namespace proc {

enum class ProcessState : u8 { Starting, Running, Zombie };

class Process {
public:
    static constexpr usize BOUNCE_SIZE = 64 * 1024;

    Process() = default;
    ~Process();
    Process(Process const&) = delete;
    Process& operator=(Process const&) = delete;

    // A kernel buffer for the system calls' large copies, allocated on first use; empty when
    // memory is short (the caller then moves smaller chunks). Context: the process's thread.
    Bytes bounce_buffer();

    Pid pid { 0 };
    char name[NAME_SIZE] {};
    char owner_name[NAME_SIZE + 16] {};   // "pid 5 (comdrv)": the owner of its I/O reservations
    ReadonlyBytes program;                // the ELF file, in the initial RAM disk (symbols)

    OwnPtr<mm::AddressSpace> space;
    FdTable files;
    IoPermissions io;
    DeviceMappings device_maps;
    sched::Thread* thread { nullptr };
    // The registers the thread enters ring 3 with the first time (kept here, off the stack:
    // arch::enter_user_mode builds its frame over the thread's call chain).
    arch::InterruptFrame start_registers {};

    // Guarded by the process table lock (process.cpp).
    Process* parent { nullptr };          // nullptr: a child of the kernel
    ProcessState state { ProcessState::Starting };
    int status { 0 };                     // wait status, once a zombie
    bool kill_requested { false };
    bool orphaned { false };              // its parent is gone: nobody will collect it
    IntrusiveListNode table_node;

private:
    u8* m_bounce { nullptr };
};

// The process the running thread belongs to; nullptr on a kernel thread. Context: thread.
Process* current();

// Ends the calling process with `status` (uapi/process.h): closes its files, gives back its
// ports, mappings and memory, makes it a zombie and wakes its parent. Context: the process's
// own thread (a system call, or its fault handler).
[[noreturn]] void exit_current(int status);

// Makes a new process (state Starting) running `path` with `argv`, a child of `parent`
// (nullptr: the kernel), its descriptors shared from parent's table when there is one. It does
// not run until start(). Errors as proc::spawn.
[[nodiscard]] ErrorOr<Process*> create(StringView path, Span<char const* const> argv, Process* parent);
// Creates its thread and lets it run. On error the process is destroyed. Context: thread.
[[nodiscard]] ErrorOr<Pid> start(Process* process);

// Waits for a child of `parent` (nullptr: the kernel) to end; pid -1 means any. Returns the
// pid and fills *status. ECHILD: no such child; ETIMEDOUT. Context: thread.
[[nodiscard]] ErrorOr<Pid> wait_child(Process* parent, Pid pid, int* status, u64 timeout_ns);

// Replaces the calling process's program (exec): a new address space with `path` loaded, the
// old one freed, `registers` set to start it. On error the caller is unchanged.
[[nodiscard]] ErrorOr<void> exec_current(StringView path, Span<char const* const> argv,
                                         arch::InterruptFrame& registers);

// "cat" for "bin/cat" or "/bin/cat": the name a process goes by.
StringView base_name(StringView path);

// Checked on every return to ring 3: ends the process when kill() asked for it.
void check_pending_kill();

}
