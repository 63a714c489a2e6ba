// exit, spawn, exec, wait, sleep, getpid, getppid, clock (kernel/syscall/calls.h).
#include "calls.h"
#include "user_memory.h"
#include <kernel/irq_flags.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/entity.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <uapi/process.h>
#include <kstd/new.h>
#include <kstd/unique_ptr.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

// The path and argv of spawn/exec, copied in; too big for the kernel stack.
struct ProgramRequest {
    UserPath path;
    UserArguments arguments;
};

ErrorOr<OwnPtr<ProgramRequest>> copy_program_request(Arguments const& args)
{
    auto request = TRY(kstd::make<ProgramRequest>());
    TRY(copy_path_from_user(args.a0, request->path));
    TRY(copy_arguments_from_user(args.a1, request->arguments));
    return request;
}

}

Result sys_exit(Arguments const& args)
{
    proc::exit_current(uapi::wait_status_exited(int(args.a0)));
}

Result sys_spawn(Arguments const& args)
{
    auto request = TRY(copy_program_request(args));
    StringView path(request->path.text, request->path.length);
    proc::Process* child = TRY(proc::create(path, request->arguments.argv(), &args.process));
    return u64(TRY(proc::start(child)));
}

Result sys_exec(Arguments const& args)
{
    auto request = TRY(copy_program_request(args));
    StringView path(request->path.text, request->path.length);
    TRY(proc::exec_current(path, request->arguments.argv(), args.registers));
    return 0;   // into the new program's rax, which starts at 0 anyway
}

Result sys_wait(Arguments const& args)
{
    i64 pid = i64(args.a0);
    if (pid == 0 || pid < uapi::WAIT_ANY || pid > 0x7FFFFFFF)
        return Error::from_errno(EINVAL);
    // Checked before waiting, so a bad pointer does not lose the child's status.
    if (args.a1)
        TRY(check_user_buffer(args.a1, sizeof(int), Access::Write));
    int status = 0;
    proc::Pid ended = TRY(proc::wait_child(&args.process, proc::Pid(pid), &status, sched::NO_DEADLINE));
    if (args.a1)
        TRY(write_user<int>(args.a1, status));
    return u64(ended);
}

// An interruptible sleep (a killed process must not sleep on): a wait for nothing, with a deadline.
Result sys_sleep(Arguments const& args)
{
    sched::WaitQueue nobody_wakes_this;
    auto slept = nobody_wakes_this.wait_event_until([] { return false; }, sched::deadline_after(args.a0));
    if (slept.is_error() && slept.error().code() == EINTR)
        return slept.release_error();
    return 0;
}

Result sys_getpid(Arguments const& args) { return u64(args.process.pid); }

Result sys_getppid(Arguments const& args)
{
    InterruptsDisabled guard;   // the parent link changes when the parent exits
    return u64(args.process.parent ? args.process.parent->pid : 0);
}

Result sys_clock(Arguments const&) { return time::now_ns(); }

}
