// read, write, open, close, lseek, dup, dup2: files through descriptors (kernel/syscall/calls.h).
//
// Data never goes straight between a driver and user memory: a driver gets a kernel buffer (it
// may fault on nothing), and the system call copies between that buffer and the program with
// the checked copies of user_memory.h. Small transfers use a buffer on the kernel stack; larger
// ones the process's own bounce buffer, in chunks.
#include "calls.h"
#include "user_memory.h"
#include <kernel/dev/devfs.h>
#include <uapi/files.h>
#include <uapi/syscall.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace syscall {

namespace {

constexpr usize SMALL_TRANSFER = 256;

// The bytes one call moves: the count, cut to IO_MAX (a short transfer, as POSIX allows).
usize transfer_size(u64 count) { return count > uapi::IO_MAX ? usize(uapi::IO_MAX) : usize(count); }

Bytes chunk_buffer(proc::Process& process, u8* small, usize wanted)
{
    if (wanted <= SMALL_TRANSFER)
        return { small, wanted };
    Bytes bounce = process.bounce_buffer();
    return bounce.empty() ? Bytes(small, SMALL_TRANSFER) : bounce;
}

ErrorOr<dev::OpenFlags> open_flags(u64 flags)
{
    if (flags & ~u64(uapi::OPEN_ACCESS_MASK | uapi::OPEN_NONBLOCK))
        return Error::from_errno(EINVAL);
    dev::OpenFlags result;
    switch (flags & uapi::OPEN_ACCESS_MASK) {
    case uapi::OPEN_READ: result = dev::OpenFlags::Read; break;
    case uapi::OPEN_WRITE: result = dev::OpenFlags::Write; break;
    case uapi::OPEN_READ_WRITE: result = dev::OpenFlags::ReadWrite; break;
    default: return Error::from_errno(EINVAL);
    }
    if (flags & uapi::OPEN_NONBLOCK)
        result |= dev::OpenFlags::NonBlock;
    return result;
}

}

// Moves up to `count` bytes in chunks through a kernel buffer: step(buffer, done) moves one
// chunk (device and user memory, in whichever order) and returns how many bytes it moved. A
// short chunk ends the call (a TTY line, the end of a device); an error after some bytes ends it
// with those bytes, as POSIX asks (the error comes back on the next call).
template<typename Step>
Result transfer(Arguments const& args, usize count, Step&& step)
{
    u8 small[SMALL_TRANSFER];
    usize done = 0;
    while (done < count) {
        Bytes buffer = chunk_buffer(args.process, small, count - done);
        Bytes chunk = buffer.first(kstd::min(buffer.size(), count - done));
        auto moved = step(chunk, done);
        if (moved.is_error()) {
            if (done > 0)
                break;
            return moved.release_error();
        }
        done += moved.value();
        if (moved.value() < chunk.size())
            break;
    }
    return done;
}

Result sys_read(Arguments const& args)
{
    auto file = TRY(file_of(args, args.a0));
    usize count = transfer_size(args.a2);
    TRY(check_user_buffer(args.a1, count, Access::Write));
    return transfer(args, count, [&](Bytes chunk, usize done) -> ErrorOr<usize> {
        usize got = TRY(file->file().read(chunk));
        TRY(copy_to_user(args.a1 + done, chunk.data(), got));
        return got;
    });
}

Result sys_write(Arguments const& args)
{
    auto file = TRY(file_of(args, args.a0));
    usize count = transfer_size(args.a2);
    TRY(check_user_buffer(args.a1, count, Access::Read));
    return transfer(args, count, [&](Bytes chunk, usize done) -> ErrorOr<usize> {
        TRY(copy_from_user(chunk.data(), args.a1 + done, chunk.size()));
        return file->file().write(chunk);
    });
}

Result sys_open(Arguments const& args)
{
    UserPath path;
    TRY(copy_path_from_user(args.a0, path));
    dev::OpenFlags flags = TRY(open_flags(args.a1));
    auto file = TRY(devfs::open(StringView(path.text, path.length), flags));
    return u64(TRY(args.process.files.install(kstd::move(file))));
}

Result sys_close(Arguments const& args)
{
    if (i64(args.a0) < 0 || args.a0 >= proc::MAX_FILES)
        return Error::from_errno(EBADF);
    TRY(args.process.files.close(int(args.a0)));
    return 0;
}

Result sys_lseek(Arguments const& args)
{
    auto file = TRY(file_of(args, args.a0));
    dev::Whence whence;
    switch (args.a2) {
    case uapi::SEEK_SET: whence = dev::Whence::Set; break;
    case uapi::SEEK_CUR: whence = dev::Whence::Current; break;
    case uapi::SEEK_END: whence = dev::Whence::End; break;
    default: return Error::from_errno(EINVAL);
    }
    return TRY(file->file().llseek(i64(args.a1), whence));
}

Result sys_dup(Arguments const& args)
{
    auto file = TRY(file_of(args, args.a0));
    return u64(TRY(args.process.files.install(kstd::move(file))));
}

Result sys_dup2(Arguments const& args)
{
    auto file = TRY(file_of(args, args.a0));
    if (i64(args.a1) < 0 || args.a1 >= proc::MAX_FILES)
        return Error::from_errno(EBADF);
    if (args.a1 != args.a0)
        TRY(args.process.files.install_at(int(args.a1), kstd::move(file)));
    return args.a1;
}

}
