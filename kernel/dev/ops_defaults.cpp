// The class defaults for null ops-table entries, and seek arithmetic. Portable: also built into
// the host unit tests (tests/unit/dev_ops_test.cpp), so nothing here may touch the scheduler.
//
// Filling the defaults in once, at registration, keeps every dispatch a plain indirect call:
// the core never has to ask "did the driver provide this?" on the hot path.
#include <kernel/dev/blockdev.h>
#include <kernel/dev/chardev.h>
#include <kernel/dev/netdev.h>
#include <kstd/enforce.h>

namespace chardev {

ErrorOr<void> default_open(File&) { return {}; }
void default_release(File&) {}
ErrorOr<usize> default_read(File&, Bytes, u64) { return Error::from_errno(EINVAL); }
ErrorOr<usize> default_write(File&, ReadonlyBytes, u64) { return Error::from_errno(EINVAL); }
ErrorOr<u64> default_llseek(File&, i64, Whence) { return Error::from_errno(ESPIPE); }
ErrorOr<u64> default_ioctl(File&, u32, uptr) { return Error::from_errno(ENOTTY); }
PollMask default_poll(File&) { return PollMask::Readable | PollMask::Writable; }

CharDevOps with_defaults(CharDevOps const& ops)
{
    CharDevOps resolved = ops;
    if (!resolved.open)
        resolved.open = default_open;
    if (!resolved.release)
        resolved.release = default_release;
    if (!resolved.read)
        resolved.read = default_read;
    if (!resolved.write)
        resolved.write = default_write;
    if (!resolved.llseek)
        resolved.llseek = default_llseek;
    if (!resolved.ioctl)
        resolved.ioctl = default_ioctl;
    if (!resolved.poll)
        resolved.poll = default_poll;
    return resolved;
}

ErrorOr<u64> compute_seek(u64 position, i64 offset, Whence whence, u64 end)
{
    u64 base = 0;
    switch (whence) {
    case Whence::Set:
        base = 0;
        break;
    case Whence::Current:
        base = position;
        break;
    case Whence::End:
        base = end;
        break;
    default:
        return Error::from_errno(EINVAL);
    }
    // Positions are kept below 2^63 so that they always fit the i64 of an lseek result.
    constexpr u64 limit = u64(INT64_MAX);
    if (base > limit)
        return Error::from_errno(EINVAL);
    if (offset < 0) {
        u64 back = offset == INT64_MIN ? u64(INT64_MAX) + 1 : u64(-offset);
        if (back > base)
            return Error::from_errno(EINVAL);
        return base - back;
    }
    if (u64(offset) > limit - base)
        return Error::from_errno(EINVAL);
    return base + u64(offset);
}

}

namespace blockdev {

void default_abort(BlockDevice&, BlockRequest&) {}
ErrorOr<u64> default_ioctl(BlockDevice&, u32, uptr) { return Error::from_errno(ENOTTY); }

BlockDevOps with_defaults(BlockDevOps const& ops)
{
    BlockDevOps resolved = ops;
    if (!resolved.abort)
        resolved.abort = default_abort;
    if (!resolved.ioctl)
        resolved.ioctl = default_ioctl;
    return resolved;
}

}

namespace netdev {

ErrorOr<void> default_open(NetDevice&) { return {}; }
void default_stop(NetDevice&) {}
usize default_rx_pending(NetDevice&) { return 0; }

NetDevOps with_defaults(NetDevOps const& ops)
{
    NetDevOps resolved = ops;
    if (!resolved.open)
        resolved.open = default_open;
    if (!resolved.stop)
        resolved.stop = default_stop;
    if (!resolved.rx_pending)
        resolved.rx_pending = default_rx_pending;
    return resolved;
}

}
