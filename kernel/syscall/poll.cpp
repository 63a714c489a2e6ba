// poll(fds, count, timeout_ms) (kernel/syscall/calls.h): which of several files are ready.
//
// FIXME: waits by re-checking every POLL_SLICE_NS rather than sleeping on the files' wait
// queues; dev::poll(files, timeout) from the TTY rework replaces this loop.
#include "calls.h"
#include "user_memory.h"
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <uapi/files.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

constexpr u64 POLL_SLICE_NS = 5 * 1000 * 1000;

i16 revents_for(proc::Process& process, uapi::PollFd const& entry)
{
    if (entry.fd < 0)
        return 0;
    auto file = process.files.get(entry.fd);
    if (file.is_error())
        return uapi::POLL_NVAL;
    auto mask = file.value()->file().poll();
    if (mask.is_error())
        return uapi::POLL_ERR;
    i16 ready = 0;
    if (has(mask.value(), dev::PollMask::Readable))
        ready |= uapi::POLL_IN;
    if (has(mask.value(), dev::PollMask::Writable))
        ready |= uapi::POLL_OUT;
    if (has(mask.value(), dev::PollMask::Error))
        ready |= uapi::POLL_ERR;
    if (has(mask.value(), dev::PollMask::Hangup))
        ready |= uapi::POLL_HUP;
    return i16(ready & (entry.events | uapi::POLL_ERR | uapi::POLL_HUP | uapi::POLL_NVAL));
}

}

Result sys_poll(Arguments const& args)
{
    u64 count = args.a1;
    if (count > uapi::POLL_MAX)
        return Error::from_errno(EINVAL);
    uapi::PollFd fds[uapi::POLL_MAX];
    usize bytes = count * sizeof(uapi::PollFd);
    TRY(check_user_buffer(args.a0, bytes, Access::Write));
    TRY(copy_from_user(fds, args.a0, bytes));
    i64 timeout_ms = i64(args.a2);
    u64 deadline = timeout_ms < 0 ? sched::NO_DEADLINE : time::now_ns() + u64(timeout_ms) * 1'000'000;
    for (;;) {
        u64 ready = 0;
        for (u64 i = 0; i < count; ++i) {
            fds[i].revents = revents_for(args.process, fds[i]);
            ready += fds[i].revents ? 1 : 0;
        }
        u64 now = time::now_ns();
        if (ready > 0 || now >= deadline || args.process.kill_requested) {
            TRY(copy_to_user(args.a0, fds, bytes));
            return ready;
        }
        sched::sleep_for(kstd::min(POLL_SLICE_NS, deadline - now));
    }
}

}
