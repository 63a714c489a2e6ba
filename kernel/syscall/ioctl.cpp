// ioctl(fd, request, argument) (kernel/syscall/calls.h).
//
// A driver's ioctl gets its argument as a number that, for many requests, is a pointer to a
// structure. A driver must never dereference a user pointer (it could fault anywhere), so the
// system call copies the structure into a kernel buffer, hands the driver that buffer's
// address, and copies the result back. It knows the size and direction from the request number
// (include/uapi/ioctl.h), or, for the few older requests whose numbers do not encode them (the
// TTY's, whose numbers are Linux's), from the table below. Any other request passes its argument
// through as a plain number: a driver's request that takes a pointer must encode it.
#include "calls.h"
#include "user_memory.h"
#include <kernel/tty/termios.h>
#include <kernel/tty/tty.h>
#include <uapi/ioctl.h>
#include <uapi/termios.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

using uapi::IoctlDirection;

// uapi::Termios must be tty::Termios, byte for byte.
static_assert(sizeof(uapi::Termios) == sizeof(tty::Termios));
static_assert(offsetof(uapi::Termios, canonical) == offsetof(tty::Termios, canonical));
static_assert(offsetof(uapi::Termios, onlcr) == offsetof(tty::Termios, onlcr));
static_assert(offsetof(uapi::Termios, eof) == offsetof(tty::Termios, eof));
static_assert(uapi::TCGETS == tty::TCGETS && uapi::TCSETS == tty::TCSETS);

struct LegacyRequest {
    u32 request;
    IoctlDirection direction;
    u32 size;
};

constexpr LegacyRequest LEGACY[] = {
    { tty::TCGETS, IoctlDirection::Read, sizeof(tty::Termios) },
    { tty::TCSETS, IoctlDirection::Write, sizeof(tty::Termios) },
    { tty::TTY_GET_STATS, IoctlDirection::Read, sizeof(tty::TtyStats) },
};

constexpr u32 MAX_ARGUMENT = 512;   // bytes of an ioctl structure (larger: EINVAL)

LegacyRequest describe(u32 request)
{
    for (auto const& legacy : LEGACY) {
        if (legacy.request == request)
            return legacy;
    }
    return { request, uapi::ioctl_direction(request), uapi::ioctl_size(request) };
}

}

Result sys_ioctl(Arguments const& args)
{
    auto file = TRY(file_of(args, args.a0));
    if (args.a1 > 0xFFFFFFFF)
        return Error::from_errno(EINVAL);
    u32 request = u32(args.a1);
    LegacyRequest shape = describe(request);
    if (shape.direction == IoctlDirection::None)
        return file->file().ioctl(request, uptr(args.a2));
    if (shape.size == 0 || shape.size > MAX_ARGUMENT)
        return Error::from_errno(EINVAL);

    bool in = shape.direction == IoctlDirection::Write || shape.direction == IoctlDirection::ReadWrite;
    bool out = shape.direction == IoctlDirection::Read || shape.direction == IoctlDirection::ReadWrite;
    TRY(check_user_buffer(args.a2, shape.size, out ? Access::Write : Access::Read));
    alignas(16) u8 buffer[MAX_ARGUMENT] = {};
    if (in)
        TRY(copy_from_user(buffer, args.a2, shape.size));
    u64 result = TRY(file->file().ioctl(request, uptr(buffer)));
    if (out)
        TRY(copy_to_user(args.a2, buffer, shape.size));
    return result;
}

}
