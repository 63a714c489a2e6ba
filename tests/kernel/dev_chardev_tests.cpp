// The char device class and devfs: registration and numbers, the class defaults, /dev/null and
// /dev/zero through Files, closed Files, blocking reads, and devices unregistered under open
// Files. The test device `ktest*` (major 60, "local/experimental" in Linux's devices.txt) counts
// opens and releases and has a pretend FIFO that a reader can sleep on.
#include <kernel/dev/builtin.h>
#include <kernel/dev/chardev.h>
#include <kernel/dev/devfs.h>
#include <kernel/dev/node.h>
#include <kernel/monitor.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace dev;

constexpr u16 TEST_MAJOR = 60;

struct TestChar {
    u32 opens { 0 };
    u32 releases { 0 };
    usize volatile available { 0 };   // bytes a read may take without sleeping
};

TestChar& state_of(File& file) { return *static_cast<TestChar*>(file.device_data()); }

ErrorOr<void> test_open(File& file)
{
    ++state_of(file).opens;
    return {};
}

void test_release(File& file) { ++state_of(file).releases; }

ErrorOr<usize> test_read(File& file, Bytes buffer, u64)
{
    TestChar& t = state_of(file);
    TRY(chardev::wait_until(file, [&t] { return t.available > 0; }));
    usize available = t.available;
    usize n = kstd::min(buffer.size(), available);
    memset(buffer.data(), 'x', n);
    t.available = t.available - n;
    return n;
}

PollMask test_poll(File& file) { return state_of(file).available ? PollMask::Readable : PollMask::None; }

constexpr CharDevOps test_ops {
    .driver = "ktest",
    .open = test_open,
    .release = test_release,
    .read = test_read,
    .poll = test_poll,
};

// How many threads sleep on `file`'s device (to know a reader is blocked).
usize sleepers(File& file) { return file.node().waiters().waiter_count(); }

bool wait_for_sleeper(File& file)
{
    for (int i = 0; i < 1000 && sleepers(file) == 0; ++i)
        sched::sleep_for(time::NS_PER_MS);
    return sleepers(file) > 0;
}

}

KTEST(dev_chardev_register_and_numbers, CORE_SUITE)
{
    dev::init_builtin_devices();
    TestChar t;
    auto first = EXPECT_OK(register_chardev("ktest0", TEST_MAJOR, 0, test_ops, &t));
    EXPECT_EQ(first.number().major, TEST_MAJOR);
    EXPECT_EQ(first.number().minor, 0u);
    EXPECT_ERROR(register_chardev("ktest1", TEST_MAJOR, 0, test_ops, &t), EBUSY);   // number taken
    EXPECT_ERROR(register_chardev("ktest0", TEST_MAJOR, 1, test_ops, &t), EEXIST);  // name taken
    EXPECT_ERROR(register_chardev("ram0", TEST_MAJOR, 1, test_ops, &t), EEXIST);    // a block name
    EXPECT_ERROR(register_chardev("", TEST_MAJOR, 1, test_ops, &t), EINVAL);
    EXPECT_ERROR(register_chardev("a/b", TEST_MAJOR, 1, test_ops, &t), EINVAL);
    EXPECT_ERROR(register_chardev("a-name-of-more-than-31-characters", TEST_MAJOR, 1, test_ops, &t), ENAMETOOLONG);
    EXPECT_ERROR(register_chardev("ktest1", 300, 1, test_ops, &t), EINVAL);
    auto second = EXPECT_OK(register_chardev("ktest1", TEST_MAJOR, 1, test_ops, &t));   // same major

    // Major 0: a fresh major from the dynamic range for each call.
    auto dynamic_a = EXPECT_OK(register_chardev("ktestdyn0", 0, 0, test_ops, &t));
    auto dynamic_b = EXPECT_OK(register_chardev("ktestdyn1", 0, 0, test_ops, &t));
    EXPECT(dynamic_a.number().major >= NumberSpace::DYNAMIC_LOW && dynamic_a.number().major <= NumberSpace::DYNAMIC_HIGH);
    EXPECT(dynamic_b.number().major >= NumberSpace::DYNAMIC_LOW && dynamic_b.number().major <= NumberSpace::DYNAMIC_HIGH);
    EXPECT_NE(dynamic_a.number().major, dynamic_b.number().major);

    auto node = EXPECT_OK(devfs::lookup("/dev/ktest0"));
    EXPECT_EQ(node->kind(), NodeKind::Char);
    EXPECT(kstd::StringView(node->driver()) == "ktest");
    node.reset();

    // Unregistering frees the name and the number at once.
    first.unregister();
    EXPECT(!first);
    EXPECT_ERROR(devfs::lookup("/dev/ktest0"), ENOENT);
    auto again = EXPECT_OK(register_chardev("ktest0", TEST_MAJOR, 0, test_ops, &t));
    EXPECT_EQ(t.opens, 0u);
    return {};
}

KTEST(dev_null_and_zero_through_devfs, CORE_SUITE)
{
    dev::init_builtin_devices();
    static u8 buffer[300];

    auto null = EXPECT_OK(devfs::open("/dev/null", OpenFlags::ReadWrite));
    EXPECT_EQ(null->node().number().major, 1u);
    EXPECT_EQ(null->node().number().minor, 3u);
    memset(buffer, 0xAA, sizeof(buffer));
    EXPECT_EQ(EXPECT_OK(null->read(buffer)), 0u);   // end of file at once
    EXPECT_EQ(buffer[0], 0xAA);                     // and nothing written
    EXPECT_EQ(EXPECT_OK(null->write(buffer)), sizeof(buffer));
    EXPECT_ERROR(null->ioctl(0x1234), ENOTTY);
    EXPECT_EQ(EXPECT_OK(null->llseek(10, Whence::Set)), 0u);
    EXPECT_EQ(EXPECT_OK(null->poll()), PollMask::Readable | PollMask::Writable);
    EXPECT_OK(null->close());

    auto zero = EXPECT_OK(devfs::open("/dev/zero", OpenFlags::ReadWrite));
    EXPECT_EQ(zero->node().number().minor, 5u);
    NodeStats before = zero->node().stats();
    EXPECT_EQ(EXPECT_OK(zero->read(Bytes(buffer, 257))), 257u);
    for (usize i = 0; i < 257; ++i)
        EXPECT_MSG(buffer[i] == 0, "/dev/zero byte %zu is %#x", i, buffer[i]);
    EXPECT_EQ(buffer[257], 0xAA);   // not one byte more than asked
    EXPECT_EQ(EXPECT_OK(zero->write(ReadonlyBytes(buffer, 10))), 10u);
    EXPECT_ERROR(zero->ioctl(0x5401), ENOTTY);   // an unknown request
    NodeStats after = zero->node().stats();
    EXPECT_EQ(after.reads - before.reads, 1u);
    EXPECT_EQ(after.bytes_read - before.bytes_read, 257u);
    EXPECT_EQ(after.bytes_written - before.bytes_written, 10u);
    EXPECT_EQ(after.opens - before.opens, 0u);   // this open was counted before `before`

    EXPECT_ERROR(devfs::open("/dev/no-such-device", OpenFlags::Read), ENOENT);
    EXPECT_ERROR(devfs::open("zero", OpenFlags::Read), ENOENT);         // not a /dev path
    EXPECT_ERROR(devfs::open("/dev/zero", OpenFlags::None), EINVAL);    // neither read nor write
    return {};
}

KTEST(dev_chardev_defaults_for_null_entries, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto handle = EXPECT_OK(register_chardev("ktestbare", TEST_MAJOR, 2, CharDevOps {}));
    auto file = EXPECT_OK(devfs::open("/dev/ktestbare", OpenFlags::ReadWrite));   // open: success
    u8 byte = 0;
    EXPECT_ERROR(file->read(Bytes(&byte, 1)), EINVAL);
    EXPECT_ERROR(file->write(ReadonlyBytes(&byte, 1)), EINVAL);
    EXPECT_ERROR(file->llseek(0, Whence::Set), ESPIPE);
    EXPECT_ERROR(file->ioctl(42), ENOTTY);
    EXPECT_EQ(EXPECT_OK(file->poll()), PollMask::Readable | PollMask::Writable);
    EXPECT(kstd::StringView(file->node().driver()) == "ktestbare");   // driver defaults to the name
    EXPECT_OK(file->close());                                          // release: nothing
    return {};
}

KTEST(dev_closed_file_is_ebadf, CORE_SUITE)
{
    dev::init_builtin_devices();
    u8 buffer[8];
    auto file = EXPECT_OK(devfs::open("/dev/zero", OpenFlags::Read));
    EXPECT_ERROR(file->write(ReadonlyBytes(buffer, 8)), EBADF);   // opened read-only
    EXPECT_OK(file->close());
    EXPECT(!file->is_open());
    EXPECT_ERROR(file->read(buffer), EBADF);
    EXPECT_ERROR(file->write(ReadonlyBytes(buffer, 8)), EBADF);
    EXPECT_ERROR(file->llseek(0, Whence::Set), EBADF);
    EXPECT_ERROR(file->ioctl(1), EBADF);
    EXPECT_ERROR(file->poll(), EBADF);
    EXPECT_ERROR(file->close(), EBADF);

    auto write_only = EXPECT_OK(devfs::open("/dev/null", OpenFlags::Write));
    EXPECT_ERROR(write_only->read(buffer), EBADF);

    File never_opened;
    EXPECT_ERROR(never_opened.read(buffer), EBADF);
    return {};
}

KTEST(dev_device_cannot_vanish_under_open_file, CORE_SUITE)
{
    dev::init_builtin_devices();
    TestChar t;
    t.available = 4;
    auto handle = EXPECT_OK(register_chardev("ktestgone", TEST_MAJOR, 5, test_ops, &t));
    auto file = EXPECT_OK(devfs::open("/dev/ktestgone", OpenFlags::Read));
    EXPECT_EQ(t.opens, 1u);
    u8 buffer[2];
    EXPECT_EQ(EXPECT_OK(file->read(buffer)), 2u);

    handle.unregister();
    EXPECT_EQ(t.releases, 1u);   // the driver saw the File's release before unregister returned
    // The File still works as an object: it names its device, and only the File keeps it alive.
    EXPECT(file->is_open());
    EXPECT(kstd::StringView(file->name()) == "ktestgone");
    EXPECT(file->node().is_gone());
    EXPECT_EQ(file->node().ref_count(), 1u);
    // But the driver is never called again.
    EXPECT_ERROR(file->read(buffer), ENODEV);
    EXPECT_ERROR(file->ioctl(1), ENODEV);
    EXPECT_ERROR(file->poll(), ENODEV);
    EXPECT_ERROR(devfs::open("/dev/ktestgone", OpenFlags::Read), ENOENT);

    // The name and the number can be taken by a new device while the old File is open.
    TestChar t2;
    auto replacement = EXPECT_OK(register_chardev("ktestgone", TEST_MAJOR, 5, test_ops, &t2));
    EXPECT_OK(file->close());
    EXPECT_EQ(t.releases, 1u);   // not a second time
    EXPECT_EQ(t2.releases, 0u);
    return {};
}

namespace {

struct WakeContext {
    TestChar* state;
    CharDevHandle* handle;
};

void make_data_arrive(void* arg)
{
    auto& ctx = *static_cast<WakeContext*>(arg);
    sched::sleep_for(10 * time::NS_PER_MS);
    ctx.state->available = 3;
    ctx.handle->wake_waiters();   // what a UART's interrupt path does
}

}

KTEST(dev_chardev_blocking_read_helper, CORE_SUITE)
{
    dev::init_builtin_devices();
    TestChar t;
    auto handle = EXPECT_OK(register_chardev("ktestblock", TEST_MAJOR, 6, test_ops, &t));
    auto file = EXPECT_OK(devfs::open("/dev/ktestblock", OpenFlags::Read));
    u8 buffer[8];

    file->set_nonblocking(true);
    EXPECT_ERROR(file->read(buffer), EAGAIN);
    EXPECT_ERROR(file->wait(PollMask::Readable), EAGAIN);
    file->set_nonblocking(false);

    file->set_timeout_ns(20 * time::NS_PER_MS);
    u64 start = time::now_ns();
    EXPECT_ERROR(file->read(buffer), ETIMEDOUT);
    EXPECT(time::now_ns() - start >= 20 * time::NS_PER_MS);
    EXPECT_ERROR(file->wait(PollMask::Readable), ETIMEDOUT);

    // A thread makes data arrive and wakes the sleeping reader.
    file->set_timeout_ns(5 * time::NS_PER_S);
    WakeContext ctx { &t, &handle };
    auto* waker = EXPECT_OK(sched::spawn("ktest-waker", make_data_arrive, &ctx));
    EXPECT_EQ(EXPECT_OK(file->read(buffer)), 3u);
    EXPECT_EQ(buffer[0], u8('x'));
    EXPECT_OK(sched::join(waker));

    waker = EXPECT_OK(sched::spawn("ktest-waker", make_data_arrive, &ctx));
    EXPECT_EQ(EXPECT_OK(file->wait(PollMask::Readable)), PollMask::Readable);
    EXPECT_OK(sched::join(waker));
    return {};
}

namespace {

struct ReaderContext {
    File* file;
    int error { 0 };
};

void blocked_reader(void* arg)
{
    auto& ctx = *static_cast<ReaderContext*>(arg);
    u8 buffer[4];
    auto result = ctx.file->read(buffer);
    ctx.error = result.is_error() ? result.error().code() : 0;
}

}

KTEST(dev_unregister_wakes_blocked_reader, CORE_SUITE)
{
    dev::init_builtin_devices();
    TestChar t;
    auto handle = EXPECT_OK(register_chardev("ktestsleep", TEST_MAJOR, 7, test_ops, &t));
    auto file = EXPECT_OK(devfs::open("/dev/ktestsleep", OpenFlags::Read));
    file->set_timeout_ns(5 * time::NS_PER_S);
    ReaderContext ctx { file.ptr() };
    auto* reader = EXPECT_OK(sched::spawn("ktest-reader", blocked_reader, &ctx));
    EXPECT_MSG(wait_for_sleeper(*file), "the reader never went to sleep in wait_until");

    // Returns only once the reader has left the driver: it was woken with ENODEV.
    handle.unregister();
    EXPECT_EQ(file->node().gate().inside(), 0u);
    EXPECT_OK(sched::join(reader));
    EXPECT_EQ(ctx.error, int(ENODEV));
    EXPECT_EQ(t.releases, 1u);
    return {};
}

KTEST(dev_lsdev_lists_devices, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto zero = EXPECT_OK(devfs::open("/dev/zero", OpenFlags::Read));   // shows as open once
    EXPECT(monitor::execute("lsdev"));
    EXPECT(monitor::execute("lsdev net"));
    return {};
}
