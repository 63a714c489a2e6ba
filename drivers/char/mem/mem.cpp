// Memory devices: /dev/null and /dev/zero (char major 1, as in every Unix since V7).
//
// No hardware at all, which makes them the smallest complete char drivers: each is an ops table
// with the entries it needs, and the class core supplies the rest (ioctl answers ENOTTY, poll
// says "always ready"). Read them first when writing your own driver.
//
//   null  read: end of file at once.        write: accepts and discards everything.
//   zero  read: as many zero bytes as asked. write: accepts and discards everything.
//
// Seeking is allowed and meaningless (the position stays 0), as on Linux, so programs that
// lseek() any file they are given do not fail on these.
#include <kernel/dev/builtin.h>
#include <kernel/dev/chardev.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace drivers::mem {

namespace {

using dev::File;

constexpr u16 MEM_MAJOR = 1;
constexpr u16 NULL_MINOR = 3;
constexpr u16 ZERO_MINOR = 5;

ErrorOr<usize> null_read(File&, Bytes, u64) { return 0; }

ErrorOr<usize> zero_read(File&, Bytes buffer, u64)
{
    memset(buffer.data(), 0, buffer.size());
    return buffer.size();
}

ErrorOr<usize> discard_write(File&, ReadonlyBytes data, u64) { return data.size(); }

ErrorOr<u64> stay_at_zero(File&, i64, dev::Whence) { return 0; }

constexpr dev::CharDevOps null_ops {
    .driver = "mem",
    .read = null_read,
    .write = discard_write,
    .llseek = stay_at_zero,
};

constexpr dev::CharDevOps zero_ops {
    .driver = "mem",
    .read = zero_read,
    .write = discard_write,
    .llseek = stay_at_zero,
};

// Registered for the life of the kernel.
dev::CharDevHandle g_null;
dev::CharDevHandle g_zero;

}

ErrorOr<void> init()
{
    g_null = TRY(dev::register_chardev("null", MEM_MAJOR, NULL_MINOR, null_ops));
    g_zero = TRY(dev::register_chardev("zero", MEM_MAJOR, ZERO_MINOR, zero_ops));
    return {};
}

}
