// poll(fds, count, timeout_ms) (kernel/syscall/calls.h): which of several files are ready, and
// waiting until one is, through dev::poll (include/kernel/dev/poll.h): the poller sleeps until
// one of the devices wakes it, so an idle poll costs nothing.
//
// As in POSIX: a negative fd is skipped (revents 0); an fd that is not open reports POLLNVAL,
// which counts as ready, so the call returns at once; ERR and HUP are reported whether asked for
// or not; timeout_ms < 0 waits for ever, 0 looks once.
#include "calls.h"
#include "user_memory.h"
#include <kernel/dev/poll.h>
#include <uapi/files.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

constexpr u64 NS_PER_MS = 1'000'000;
static_assert(uapi::POLL_MAX <= dev::MAX_POLL_FILES);

dev::PollMask interest_of(i16 events)
{
    dev::PollMask mask = dev::PollMask::None;
    if (events & uapi::POLL_IN)
        mask |= dev::PollMask::Readable;
    if (events & uapi::POLL_OUT)
        mask |= dev::PollMask::Writable;
    return mask;
}

i16 revents_of(dev::PollMask ready, i16 events)
{
    i16 revents = 0;
    if (has(ready, dev::PollMask::Readable))
        revents |= uapi::POLL_IN;
    if (has(ready, dev::PollMask::Writable))
        revents |= uapi::POLL_OUT;
    revents &= events;
    if (has(ready, dev::PollMask::Error))
        revents |= uapi::POLL_ERR;
    if (has(ready, dev::PollMask::Hangup))
        revents |= uapi::POLL_HUP;
    return revents;
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

    // The open files behind the descriptors; a reference each for the length of the call.
    dev::Ref<proc::OpenFile> files[uapi::POLL_MAX];
    dev::PollRequest requests[uapi::POLL_MAX];
    usize slot_of[uapi::POLL_MAX];
    usize polled = 0;
    u64 invalid = 0;
    for (u64 i = 0; i < count; ++i) {
        fds[i].revents = 0;
        if (fds[i].fd < 0)
            continue;
        auto file = args.process.files.get(fds[i].fd);
        if (file.is_error()) {
            fds[i].revents = uapi::POLL_NVAL;
            ++invalid;
            continue;
        }
        files[polled] = file.release_value();
        requests[polled] = { &files[polled]->file(), interest_of(fds[i].events) };
        slot_of[polled++] = i;
    }
    i64 timeout_ms = i64(args.a2);
    u64 timeout_ns = invalid ? 0 : timeout_ms < 0 ? dev::NO_TIMEOUT : u64(timeout_ms) * NS_PER_MS;
    u64 ready = invalid;
    if (polled > 0) {
        TRY(dev::poll(Span<dev::PollRequest>(requests, polled), timeout_ns));
        for (usize p = 0; p < polled; ++p) {
            uapi::PollFd& entry = fds[slot_of[p]];
            entry.revents = revents_of(requests[p].ready, entry.events);
            ready += entry.revents ? 1 : 0;
        }
    } else if (invalid == 0 && timeout_ms != 0) {
        // Nothing to wait for: sleep out the timeout (interruptibly), as poll() does.
        sched::WaitQueue nothing;
        auto slept = nothing.wait_event_until([] { return false; }, sched::deadline_after(timeout_ns));
        if (slept.is_error() && slept.error().code() == EINTR)
            return slept.release_error();
    }
    TRY(copy_to_user(args.a0, fds, bytes));
    return ready;
}

}
