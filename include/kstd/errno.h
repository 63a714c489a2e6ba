#pragma once
// errno-style codes shared by drivers, class cores, tests and (later) system calls.
// Values follow Linux so that students can look them up anywhere.

#ifdef CONDUIT_HOST_TEST
#    include <kstd/detail/host_errno_push.h>
#endif

namespace kstd {

enum Errno : int {
    EPERM = 1,
    ENOENT = 2,
    EINTR = 4,
    EIO = 5,
    ENXIO = 6,
    E2BIG = 7,
    EBADF = 9,
    EAGAIN = 11,
    ENOMEM = 12,
    EACCES = 13,
    EFAULT = 14,
    EBUSY = 16,
    EEXIST = 17,
    ENODEV = 19,
    EINVAL = 22,
    ENFILE = 23,
    EMFILE = 24,
    ENOTTY = 25,
    EFBIG = 27,
    ENOSPC = 28,
    ESPIPE = 29,
    EROFS = 30,
    EPIPE = 32,
    ERANGE = 34,
    EDEADLK = 35,
    ENAMETOOLONG = 36,
    ENOSYS = 38,
    ENODATA = 61,
    EPROTO = 71,
    EOVERFLOW = 75,
    EBADMSG = 74,
    EMSGSIZE = 90,
    EOPNOTSUPP = 95,
    EADDRINUSE = 98,
    EADDRNOTAVAIL = 99,
    ENETDOWN = 100,
    ENETUNREACH = 101,
    ENOBUFS = 105,
    ESHUTDOWN = 108,
    ETIMEDOUT = 110,
    ECONNREFUSED = 111,
    EHOSTUNREACH = 113,
    EALREADY = 114,
    EINPROGRESS = 115,
    ECANCELED = 125,
};

}

#ifdef CONDUIT_HOST_TEST
#    include <kstd/detail/host_errno_pop.h>
#endif

namespace kstd {

// "EINVAL" for 22; "E?" for codes this table does not know.
char const* errno_name(int code);

// A short English description ("invalid argument").
char const* errno_text(int code);

}

using kstd::Errno;
// Error codes are spelled bare everywhere (Error::from_errno(EINVAL)), as in C.
using enum kstd::Errno;
