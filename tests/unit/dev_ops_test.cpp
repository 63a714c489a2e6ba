// Ops tables: a table with null entries gets the class defaults (char, block, net), entries a
// driver gave are kept, and lseek arithmetic (kernel/dev/ops_defaults.cpp).
#include "support.h"
#include <kernel/dev/blockdev.h>
#include <kernel/dev/chardev.h>
#include <kernel/dev/netdev.h>
#include <cstdint>

using namespace dev;

namespace {

// The default entries never look at their File or device argument, and the host build cannot
// make a real one (registering needs the kernel's scheduler). A suitably aligned object that is
// never constructed is enough to call them through the table.
template<typename T>
T& stand_in()
{
    alignas(T) static unsigned char storage[sizeof(T)];
    return *reinterpret_cast<T*>(storage);
}

template<typename T>
int error_of(ErrorOr<T> const& result)
{
    return result.is_error() ? result.error().code() : 0;
}

ErrorOr<usize> driver_read(File&, Bytes buffer, u64) { return buffer.size(); }
PollMask driver_poll(File&) { return PollMask::Hangup; }

}

TEST_CASE("an empty char table gets every class default", "[dev][ops]")
{
    CharDevOps ops = chardev::with_defaults(CharDevOps {});
    File& file = stand_in<File>();
    u8 byte = 0;

    REQUIRE(ops.open != nullptr);
    REQUIRE(ops.release != nullptr);
    CHECK_FALSE(ops.open(file).is_error());                                 // open: success
    ops.release(file);                                                      // release: nothing
    CHECK(error_of(ops.read(file, Bytes(&byte, 1), 0)) == EINVAL);
    CHECK(error_of(ops.write(file, ReadonlyBytes(&byte, 1), 0)) == EINVAL);
    CHECK(error_of(ops.llseek(file, 0, Whence::Set)) == ESPIPE);
    CHECK(error_of(ops.ioctl(file, 0x5401, 0)) == ENOTTY);
    CHECK(ops.poll(file) == (PollMask::Readable | PollMask::Writable));   // always ready
    REQUIRE(ops.mmap != nullptr);
    CHECK(error_of(ops.mmap(file, 0, 4096)) == ENODEV);                    // cannot be mapped
    CHECK(ops.driver == nullptr);                                          // the core names it
}

TEST_CASE("entries a char driver gave are kept, only null ones are filled", "[dev][ops]")
{
    constexpr CharDevOps driver_ops { .driver = "demo", .read = driver_read, .poll = driver_poll };
    CharDevOps ops = chardev::with_defaults(driver_ops);
    CHECK(ops.read == driver_read);
    CHECK(ops.poll == driver_poll);
    CHECK(ops.write == chardev::default_write);
    CHECK(ops.ioctl == chardev::default_ioctl);
    CHECK(ops.llseek == chardev::default_llseek);
    CHECK(std::string(ops.driver) == "demo");
    u8 buffer[4];
    CHECK(ops.read(stand_in<File>(), Bytes(buffer, 4), 0).value() == 4);
}

TEST_CASE("block and net tables get their defaults; the required entry stays null", "[dev][ops]")
{
    BlockDevOps block = blockdev::with_defaults(BlockDevOps {});
    CHECK(block.submit == nullptr);   // refused at registration instead
    REQUIRE(block.abort == blockdev::default_abort);
    REQUIRE(block.ioctl != nullptr);
    BlockRequest request;
    block.abort(stand_in<BlockDevice>(), request);   // does nothing: the core keeps waiting
    CHECK_FALSE(request.is_complete());
    CHECK(error_of(block.ioctl(stand_in<BlockDevice>(), 1, 0)) == ENOTTY);

    NetDevOps net = netdev::with_defaults(NetDevOps {});
    CHECK(net.xmit == nullptr);
    REQUIRE(net.open != nullptr);
    REQUIRE(net.stop != nullptr);
    CHECK_FALSE(net.open(stand_in<NetDevice>()).is_error());
    net.stop(stand_in<NetDevice>());
}

TEST_CASE("compute_seek follows lseek(2)", "[dev][seek]")
{
    auto seek = [](u64 position, i64 offset, Whence whence, u64 end) {
        auto result = chardev::compute_seek(position, offset, whence, end);
        return result.is_error() ? -result.error().code() : i64(result.value());
    };
    CHECK(seek(100, 10, Whence::Set, 1000) == 10);
    CHECK(seek(100, 10, Whence::Current, 1000) == 110);
    CHECK(seek(100, -100, Whence::Current, 1000) == 0);
    CHECK(seek(100, -101, Whence::Current, 1000) == -EINVAL);   // before the start
    CHECK(seek(100, -10, Whence::End, 1000) == 990);
    CHECK(seek(100, 24, Whence::End, 1000) == 1024);             // past the end is allowed
    CHECK(seek(0, -1, Whence::Set, 1000) == -EINVAL);
    CHECK(seek(0, INT64_MIN, Whence::End, 1000) == -EINVAL);
    CHECK(seek(u64(INT64_MAX), 1, Whence::Current, 0) == -EINVAL);   // would leave i64
    CHECK(seek(u64(INT64_MAX), 0, Whence::Current, 0) == INT64_MAX);
    CHECK(seek(0, 0, Whence(7), 0) == -EINVAL);
}
