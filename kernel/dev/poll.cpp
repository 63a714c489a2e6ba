// dev::poll (include/kernel/dev/poll.h): one sleep on behalf of several devices.
//
// How one thread sleeps on many wait queues: the poller has a wait queue of its own, and puts a
// PollHook on each file's node saying "when you wake your waiters, wake this queue too"
// (Node::wake_waiters). It then sleeps on its own queue with wait_event_until, whose condition
// asks every file's poll op with interrupts off. A device that becomes ready wakes its node,
// the hook wakes the poller, the condition holds, and the hooks come off again. Linux's
// poll_wait() adds an entry to each device's queue for the same reason.
//
// A file whose device was unregistered meanwhile is never asked (its driver may be gone): it
// reports Hangup. The check and the call happen with interrupts off, and unregistering wakes
// the hooks first, so the poller cannot call into a driver that has left.
#include <kernel/dev/node.h>
#include <kernel/dev/poll.h>
#include <kernel/sched/sync.h>
#include <kstd/enforce.h>

namespace dev {

namespace {

PollMask ready_now(PollRequest const& request)
{
    File& file = *request.file;
    if (file.node().is_gone())
        return PollMask::Hangup;
    PollMask const wanted = request.interest | PollMask::Error | PollMask::Hangup;
    return file.node().file_ops().poll(file) & wanted;
}

// Context: interrupts off (a wait condition).
usize evaluate(kstd::Span<PollRequest> requests)
{
    usize ready = 0;
    for (PollRequest& request : requests) {
        request.ready = ready_now(request);
        if (request.ready != PollMask::None)
            ++ready;
    }
    return ready;
}

}

ErrorOr<usize> poll(kstd::Span<PollRequest> requests, u64 timeout_ns)
{
    if (requests.empty() || requests.size() > MAX_POLL_FILES)
        return Error::from_errno(EINVAL);
    for (PollRequest const& request : requests) {
        if (!request.file || !request.file->is_open())
            return Error::from_errno(EBADF);
    }
    u64 const deadline = sched::deadline_after(timeout_ns);
    sched::WaitQueue wakeups;
    PollHook hooks[MAX_POLL_FILES];
    for (usize i = 0; i < requests.size(); ++i) {
        hooks[i].queue = &wakeups;
        requests[i].file->node().add_poll_hook(hooks[i]);
    }
    usize ready = 0;
    auto waited = wakeups.wait_event_until([&] { return (ready = evaluate(requests)) > 0; }, deadline);
    for (usize i = 0; i < requests.size(); ++i)
        requests[i].file->node().remove_poll_hook(hooks[i]);
    if (waited.is_error() && waited.error().code() != ETIMEDOUT)
        return waited.release_error();
    return ready;
}

}
