#pragma once
// dev::poll: one thread waits on several open files at once (the lecture's select/poll).
//
//     dev::PollRequest requests[] = { { serial, PollMask::Readable }, { console, PollMask::Readable } };
//     usize ready = TRY(dev::poll(requests, 2 * time::NS_PER_S));   // 0: the timeout passed
//     if (has(requests[1].ready, PollMask::Readable)) ...
//
// Readiness is each file's poll op (PollMask: Readable, Writable, Error, Hangup), and the
// waiting is the same as a reader's: the poller sleeps until one of the devices wakes its wait
// queue (data, room, hang-up) or the deadline passes, so an idle poll costs no wake-ups.
// Error and Hangup are always reported, asked for or not; a file whose device is gone reports
// Hangup.
#include <kernel/dev/file.h>
#include <kstd/error.h>
#include <kstd/span.h>
#include <kstd/types.h>

namespace dev {

struct PollRequest {
    File* file { nullptr };
    PollMask interest { PollMask::None };   // what the caller waits for
    PollMask ready { PollMask::None };      // filled in: what the file is ready for now
};

// At most this many files per call (the hooks live on the caller's stack).
inline constexpr usize MAX_POLL_FILES = 16;

// Waits until at least one file is ready for something in its `interest` (or has an error or
// hang-up), or `timeout_ns` passes; fills every request's `ready` and returns how many files
// are ready (0 after the timeout). timeout_ns 0: look once, do not wait; NO_TIMEOUT: no limit.
// Errors: EBADF (a null or closed File), EINVAL (no requests, or more than MAX_POLL_FILES).
// Context: thread (might_sleep). Locking: none held.
[[nodiscard]] ErrorOr<usize> poll(kstd::Span<PollRequest> requests, u64 timeout_ns);

}
