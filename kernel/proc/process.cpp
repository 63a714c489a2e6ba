// The process table and the life of a process: create, start, exit, wait, kill
// (include/kernel/proc/process.h, kernel/proc/process_impl.h).
//
// The table and each process's state, parent and status are guarded by disabling interrupts
// (uniprocessor: the scheduler's own lock), so that a waiter can check for an ended child and
// go to sleep in one step (WaitQueue::wait_event). Everything else in a Process belongs to its
// own thread.
#include "initrd.h"
#include "loader.h"
#include <kernel/proc/current.h>
#include <arch/mmu.h>
#include <arch/user.h>
#include <kernel/irq_flags.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <uapi/process.h>
#include <uapi/syscall.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

IntrusiveList<Process, &Process::table_node> g_table;   // Guarded by disabling interrupts
usize g_count = 0;                                      // Guarded by disabling interrupts
Pid g_next_pid = 1;                                     // Guarded by disabling interrupts
sched::WaitQueue g_exited;                              // woken whenever a process ends

Process* find_locked(Pid pid)
{
    for (auto& process : g_table) {
        if (process.pid == pid)
            return &process;
    }
    return nullptr;
}

// Takes a process out of the table and frees it. Nothing may refer to it any more.
void destroy(Process* process)
{
    {
        InterruptsDisabled guard;
        g_table.remove(*process);
        --g_count;
    }
    delete process;
}

// The first code of a process's thread: become the process, then drop to ring 3.
[[noreturn]] void process_main(void* arg)
{
    auto* process = static_cast<Process*>(arg);
    sched::Thread* self = sched::current();
    {
        InterruptsDisabled guard;
        process->thread = self;
        process->state = ProcessState::Running;
        sched::set_user_context(self, process);
        arch::set_kernel_entry_stack(sched::kernel_stack_top(self));
        arch::switch_page_table_root(process->space->root());
        process->io.activate();
    }
    arch::enter_user_mode(process->start_registers, sched::kernel_stack_top(self));
}

// Children of `dying` lose their parent: zombies among them are collected here (returned as
// a list through `next`), the others will collect themselves. Interrupts disabled.
void orphan_children(Process* dying, IntrusiveList<Process, &Process::table_node>& collect)
{
    for (auto& process : g_table) {
        if (process.parent != dying)
            continue;
        process.parent = nullptr;
        process.orphaned = true;
        if (process.state == ProcessState::Zombie) {
            g_table.remove(process);
            --g_count;
            collect.push_back(process);
        }
    }
}

}

Process::~Process() { mm::kfree(m_bounce); }

Bytes Process::bounce_buffer()
{
    if (!m_bounce)
        m_bounce = static_cast<u8*>(mm::kmalloc(BOUNCE_SIZE));
    return m_bounce ? Bytes(m_bounce, BOUNCE_SIZE) : Bytes();
}

StringView base_name(StringView path)
{
    usize start = 0;
    for (usize i = 0; i < path.length(); ++i) {
        if (path[i] == '/')
            start = i + 1;
    }
    return path.substring(start);
}

Process* current()
{
    sched::Thread* thread = sched::current();
    return thread ? static_cast<Process*>(sched::user_context(thread)) : nullptr;
}

ErrorOr<Process*> create(StringView path, Span<char const* const> argv, Process* parent)
{
    ArchiveFile program = TRY(find_program(path));
    char const* default_argv[1];
    char path_copy[uapi::PATH_MAX];
    if (argv.empty()) {
        kstd::copy_string(path_copy, sizeof(path_copy), path);
        default_argv[0] = path_copy;
        argv = Span<char const* const>(default_argv, 1);
    }
    auto process = TRY(kstd::make<Process>());
    kstd::copy_string(process->name, sizeof(process->name), base_name(program.name));
    process->program = program.data;
    process->space = TRY(mm::AddressSpace::create());
    LoadedProgram loaded = TRY(load_program(*process->space, program.data, argv, process->name));
    process->start_registers = arch::initial_user_registers(loaded.entry, loaded.stack_pointer, loaded.argc, loaded.argv);
    if (parent)
        process->files.inherit(parent->files);

    InterruptsDisabled guard;
    if (g_count == MAX_PROCESSES)
        return Error::from_errno(EAGAIN);
    process->pid = g_next_pid++;
    process->parent = parent;
    kstd::snprintf(process->owner_name, sizeof(process->owner_name), "pid %d (%s)", process->pid, process->name);
    g_table.push_back(*process);
    ++g_count;
    return process.leak_ptr();
}

ErrorOr<Pid> start(Process* process)
{
    Pid pid = process->pid;
    auto thread = sched::spawn(process->name, process_main, process);
    if (thread.is_error()) {
        destroy(process);
        return thread.release_error();
    }
    sched::detach(thread.value());
    return pid;
}

void exit_current(int status)
{
    Process* process = current();
    VERIFY(process);
    arch::enable_interrupts_now();   // a fault handler arrives here with interrupts off
    sched::clear_interrupt(sched::current());   // closing files may have to wait (a TTY draining)
    process->files.close_all();
    process->device_maps.release_all(process->space.ptr());
    process->io.release_all();
    {
        InterruptsDisabled guard;
        sched::set_user_context(sched::current(), nullptr);
        arch::switch_page_table_root(mm::kernel_page_table_root());
        arch::io_bitmap_deny_all();
    }
    process->space = nullptr;   // frees its memory and page tables

    IntrusiveList<Process, &Process::table_node> collect;
    bool collect_self;
    {
        InterruptsDisabled guard;
        process->state = ProcessState::Zombie;
        process->status = status;
        orphan_children(process, collect);
        collect_self = process->orphaned;
        if (collect_self) {
            g_table.remove(*process);
            --g_count;
        }
    }
    while (Process* child = collect.pop_front())
        delete child;
    g_exited.wake_all();
    if (collect_self)
        delete process;
    sched::exit(status);
}

ErrorOr<Pid> wait_child(Process* parent, Pid pid, int* status, u64 timeout_ns)
{
    Process* found = nullptr;
    bool has_child = false;
    auto waited = g_exited.wait_event_until(
        [&] {
            has_child = false;
            for (auto& process : g_table) {
                if (process.parent != parent || process.orphaned || (pid != uapi::WAIT_ANY && process.pid != pid))
                    continue;
                has_child = true;
                if (process.state == ProcessState::Zombie) {
                    found = &process;
                    return true;
                }
            }
            return !has_child;
        },
        sched::deadline_after(timeout_ns));
    if (!has_child)
        return Error::from_errno(ECHILD);
    TRY(waited);
    Pid found_pid = found->pid;
    *status = found->status;
    destroy(found);
    return found_pid;
}

void check_pending_kill()
{
    Process* process = current();
    if (process && process->kill_requested)
        exit_current(uapi::wait_status_signaled(uapi::SIGNAL_KILL));
}

// --- the public interface ----------------------------------------------------------------

ErrorOr<Pid> spawn(StringView path, SpawnOptions options)
{
    Process* process = TRY(create(path, options.argv, nullptr));
    dev::Ref<OpenFile> opened[3];
    for (usize i = 0; i < 3; ++i) {
        if (!options.files[i])
            continue;
        auto* file = new (kstd::nothrow) OpenFile(kstd::move(options.files[i]));
        if (!file) {
            destroy(process);
            return Error::from_errno(ENOMEM);
        }
        opened[i] = dev::Ref<OpenFile>::adopt(file);
    }
    for (int fd = 0; fd < 3; ++fd) {
        u8 source = options.stdio[fd];
        if (source < 3 && opened[source])
            MUST(process->files.install_at(fd, opened[source]));
    }
    return start(process);
}

ErrorOr<int> wait(Pid pid, u64 timeout_ns)
{
    int status = 0;
    TRY(wait_child(nullptr, pid, &status, timeout_ns));
    return status;
}

ErrorOr<void> kill(Pid pid)
{
    InterruptsDisabled guard;
    Process* process = find_locked(pid);
    if (!process || process->state == ProcessState::Zombie)
        return Error::from_errno(ESRCH);
    process->kill_requested = true;
    // A process asleep in a system call wakes with EINTR and ends on its way back to ring 3.
    if (process->thread)
        sched::interrupt(process->thread);
    return {};
}

namespace {

bool is_waiting(sched::ThreadState state)
{
    return state == sched::ThreadState::Blocked || state == sched::ThreadState::Sleeping;
}

}

usize list(Span<ProcessInfo> out)
{
    InterruptsDisabled guard;
    usize i = 0;
    for (auto& process : g_table) {
        if (i < out.size()) {
            ProcessInfo& info = out[i];
            info.pid = process.pid;
            info.parent = process.parent ? process.parent->pid : 0;
            kstd::copy_string(info.name, sizeof(info.name), StringView(process.name));
            info.zombie = process.state == ProcessState::Zombie;
            info.asleep = !info.zombie && process.thread && is_waiting(sched::state(process.thread));
            info.status = process.status;
            info.memory_frames = process.space ? process.space->owned_frames() : 0;
            info.open_files = process.files.open_count();
            info.ports_granted = process.io.ports_granted();
            info.device_mappings = process.device_maps.count();
        }
        ++i;
    }
    return i;
}

usize count()
{
    InterruptsDisabled guard;
    return g_count;
}

}
