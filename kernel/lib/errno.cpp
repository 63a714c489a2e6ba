// Names and one-line descriptions of the errno-style codes in <kstd/errno.h>, for log lines
// such as "ata0: probe failed: ETIMEDOUT (timed out)". The texts follow Linux's strerror()
// in lower case, so students can search for them.
#include <kstd/errno.h>
#include <kstd/enforce.h>

namespace kstd {

namespace {

struct ErrnoInfo {
    int code;
    char const* name;
    char const* text;
};

// Code 0 is listed so that an Error built from 0 (a bug, but it happens) prints as "OK"
// rather than as an unknown code.
constexpr ErrnoInfo errno_table[] = {
    { 0, "OK", "success" },
    { EPERM, "EPERM", "operation not permitted" },
    { ENOENT, "ENOENT", "no such file or directory" },
    { EINTR, "EINTR", "interrupted system call" },
    { EIO, "EIO", "input/output error" },
    { ENXIO, "ENXIO", "no such device or address" },
    { E2BIG, "E2BIG", "argument list too long" },
    { EBADF, "EBADF", "bad file descriptor" },
    { EAGAIN, "EAGAIN", "resource temporarily unavailable" },
    { ENOMEM, "ENOMEM", "out of memory" },
    { EACCES, "EACCES", "permission denied" },
    { EFAULT, "EFAULT", "bad address" },
    { EBUSY, "EBUSY", "device or resource busy" },
    { EEXIST, "EEXIST", "file exists" },
    { ENODEV, "ENODEV", "no such device" },
    { EINVAL, "EINVAL", "invalid argument" },
    { ENFILE, "ENFILE", "too many open files in system" },
    { EMFILE, "EMFILE", "too many open files" },
    { ENOTTY, "ENOTTY", "inappropriate ioctl for device" },
    { EFBIG, "EFBIG", "file too large" },
    { ENOSPC, "ENOSPC", "no space left on device" },
    { ESPIPE, "ESPIPE", "illegal seek" },
    { EROFS, "EROFS", "read-only file system" },
    { EPIPE, "EPIPE", "broken pipe" },
    { ERANGE, "ERANGE", "result out of range" },
    { EDEADLK, "EDEADLK", "resource deadlock avoided" },
    { ENAMETOOLONG, "ENAMETOOLONG", "file name too long" },
    { ENOSYS, "ENOSYS", "no such function (not provided here)" },
    { ENODATA, "ENODATA", "no data available" },
    { EPROTO, "EPROTO", "protocol error" },
    { EBADMSG, "EBADMSG", "bad message" },
    { EOVERFLOW, "EOVERFLOW", "value too large for defined data type" },
    { EMSGSIZE, "EMSGSIZE", "message too long" },
    { EOPNOTSUPP, "EOPNOTSUPP", "operation not supported" },
    { EADDRINUSE, "EADDRINUSE", "address already in use" },
    { EADDRNOTAVAIL, "EADDRNOTAVAIL", "cannot assign requested address" },
    { ENETDOWN, "ENETDOWN", "network is down" },
    { ENETUNREACH, "ENETUNREACH", "network is unreachable" },
    { ENOBUFS, "ENOBUFS", "no buffer space available" },
    { ESHUTDOWN, "ESHUTDOWN", "cannot send after transport endpoint shutdown" },
    { ETIMEDOUT, "ETIMEDOUT", "timed out" },
    { ECONNREFUSED, "ECONNREFUSED", "connection refused" },
    { EHOSTUNREACH, "EHOSTUNREACH", "no route to host" },
    { EALREADY, "EALREADY", "operation already in progress" },
    { EINPROGRESS, "EINPROGRESS", "operation now in progress" },
    { ECANCELED, "ECANCELED", "operation canceled" },
};

ErrnoInfo const* find_errno(int code)
{
    for (auto const& info : errno_table) {
        if (info.code == code)
            return &info;
    }
    return nullptr;
}

}

char const* errno_name(int code)
{
    auto const* info = find_errno(code);
    return info ? info->name : "E?";
}

char const* errno_text(int code)
{
    auto const* info = find_errno(code);
    return info ? info->text : "unknown error";
}

}
