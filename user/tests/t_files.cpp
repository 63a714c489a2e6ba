// t_files: the file system calls check their arguments and do what they say: open flags and
// paths, descriptors (EBADF, EMFILE, dup/dup2 sharing the position), lseek, readdir, ioctl,
// poll, mmap and ioperm argument checks, mapinfo, sleep, ping (run without a network card: only
// the loopback answers). Exits 0 when all checks pass (tests/kernel/user_syscall_tests.cpp).
#include "check.h"
#include <conduit/text.h>
#include <uapi/ioctl.h>
#include <kstd/enforce.h>

namespace {

void check_open()
{
    CHECK_ERRNO(open("/dev/zero", 0x1234), EINVAL);
    CHECK_ERRNO(open("/dev/zero", 3), EINVAL);        // no such access mode
    CHECK_ERRNO(open("", OPEN_READ), ENOENT);
    CHECK_ERRNO(open("/dev/nosuch", OPEN_READ), ENOENT);
    CHECK_ERRNO(open("/bin/sh", OPEN_READ), ENOENT);   // programs are not files to open
    char long_path[200];
    for (usize i = 0; i < sizeof(long_path) - 1; ++i)
        long_path[i] = 'a';
    long_path[sizeof(long_path) - 1] = '\0';
    CHECK_ERRNO(open(long_path, OPEN_READ), ENAMETOOLONG);
}

void check_descriptors()
{
    int reader = open("/dev/zero", OPEN_READ);
    int writer = open("/dev/null", OPEN_WRITE);
    CHECK(reader >= 3 && writer >= 3);
    u8 byte = 0;
    CHECK_ERRNO(write(reader, &byte, 1), EBADF);
    CHECK_ERRNO(read(writer, &byte, 1), EBADF);
    CHECK_ERRNO(read(-1, &byte, 1), EBADF);
    CHECK_ERRNO(read(99, &byte, 1), EBADF);
    CHECK_ERRNO(close(-1), EBADF);
    CHECK(close(writer) == 0);
    CHECK_ERRNO(close(writer), EBADF);                 // closed twice
    CHECK_ERRNO(dup2(reader, 99), EBADF);
    CHECK(dup2(reader, reader) == reader);
    int copy = dup(reader);
    CHECK(copy == writer);                              // the lowest free descriptor
    CHECK(close(copy) == 0 && close(reader) == 0);

    int opened[40];
    int count = 0;
    while (count < 40 && (opened[count] = open("/dev/zero", OPEN_READ)) >= 0)
        ++count;
    CHECK(count == 32 - 3);                             // 32 per process, 0-2 are taken
    CHECK_ERRNO(open("/dev/zero", OPEN_READ), EMFILE);
    for (int i = 0; i < count; ++i)
        close(opened[i]);
}

// dup() shares the open file: one position for both descriptors.
void check_shared_position()
{
    int disk = open("/dev/ram0", OPEN_READ_WRITE);
    CHECK(disk >= 0);
    char const text[] = "conduit";
    CHECK(lseek(disk, 4096, uapi::SEEK_SET) == 4096);
    CHECK(write(disk, text, 7) == 7);
    int other = dup(disk);
    CHECK(lseek(other, 0, uapi::SEEK_CUR) == 4096 + 7);
    CHECK(lseek(other, 4096, uapi::SEEK_SET) == 4096);
    char back[8] = {};
    CHECK(read(disk, back, 7) == 7 && strcmp(back, "conduit") == 0);
    CHECK(lseek(disk, 0, uapi::SEEK_END) == 4 * 1024 * 1024);
    CHECK(read(disk, back, 7) == 0);                    // end of the device
    CHECK_ERRNO(lseek(disk, 0, 7), EINVAL);
    CHECK_ERRNO(lseek(disk, -1, uapi::SEEK_SET), EINVAL);
    close(other);
    close(disk);
    CHECK_ERRNO(lseek(STDOUT, 0, uapi::SEEK_SET), ESPIPE);   // the test's capture device
}

void check_readdir()
{
    uapi::DirEntry entry;
    bool saw_zero = false, saw_ram0 = false, saw_sh = false;
    for (u64 i = 0; readdir("/dev", i, &entry) == 0; ++i) {
        saw_zero |= strcmp(entry.name, "zero") == 0 && entry.kind == uapi::DirEntryKind::CharDevice
            && entry.major == 1 && entry.minor == 5;
        saw_ram0 |= strcmp(entry.name, "ram0") == 0 && entry.kind == uapi::DirEntryKind::BlockDevice
            && entry.size == 4 * 1024 * 1024 && entry.sector_size == 512;
    }
    CHECK(errno == ENOENT);
    for (u64 i = 0; readdir("/bin/", i, &entry) == 0; ++i)
        saw_sh |= strcmp(entry.name, "sh") == 0 && entry.kind == uapi::DirEntryKind::Program && entry.size > 1000;
    CHECK(saw_zero && saw_ram0 && saw_sh);
    CHECK_ERRNO(readdir("/etc", 0, &entry), ENOENT);
    CHECK_ERRNO(readdir("/dev", 100000, &entry), ENOENT);
}

void check_ioctl_and_poll()
{
    int zero = open("/dev/zero", OPEN_READ);
    CHECK_ERRNO(ioctl(zero, 0x7a01), ENOTTY);
    CHECK_ERRNO(ioctl(99, 0x7a01), EBADF);
    u8 big[16];
    CHECK_ERRNO(ioctl(zero, uapi::ioctl_encode(uapi::IoctlDirection::Read, 'z', 1, 4000), uptr(big)), EINVAL);
    uapi::PollFd fds[3] = { { zero, uapi::POLL_IN, 0 }, { -1, uapi::POLL_IN, 0 }, { 77, uapi::POLL_IN, 0 } };
    CHECK(poll(fds, 3, 0) == 2);
    CHECK(fds[0].revents == uapi::POLL_IN && fds[1].revents == 0 && fds[2].revents == uapi::POLL_NVAL);
    CHECK_ERRNO(poll(fds, 17, 0), EINVAL);
    close(zero);
}

void check_mmap_and_ioperm()
{
    int zero = open("/dev/zero", OPEN_READ_WRITE);
    CHECK(mmap(zero, 4096, uapi::PROT_READ, uapi::MAP_SHARED, 0) == MAP_FAILED && errno == ENODEV);
    CHECK(mmap(zero, 4096, uapi::PROT_READ, 0, 0) == MAP_FAILED && errno == EINVAL);     // not shared
    CHECK(mmap(zero, 0, uapi::PROT_READ, uapi::MAP_SHARED, 0) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(zero, 4096, uapi::PROT_READ, uapi::MAP_SHARED, 100) == MAP_FAILED && errno == EINVAL);
    CHECK(mmap(zero, 4096, uapi::PROT_EXEC, uapi::MAP_SHARED, 0) == MAP_FAILED && errno == EACCES);
    CHECK(mmap(99, 4096, uapi::PROT_READ, uapi::MAP_SHARED, 0) == MAP_FAILED && errno == EBADF);
    CHECK_ERRNO(munmap(reinterpret_cast<void*>(uapi::DEVICE_MAP_BASE), 4096), EINVAL);
    close(zero);
    CHECK_ERRNO(ioperm(0x2F8, 8, 2), EINVAL);
    CHECK_ERRNO(ioperm(0xFFF8, 16, 1), EINVAL);          // past port 0xFFFF
    CHECK_ERRNO(ioperm(0x80, 0, 1), EINVAL);
    CHECK_ERRNO(ioperm(0x3F8, 8, 1), EBUSY);             // COM1 belongs to the UART driver
    CHECK_ERRNO(ioperm(0x60, 1, 1), EBUSY);              // the keyboard controller's
}

void check_memory_and_time()
{
    uapi::MapInfo info;
    int local = 0;
    CHECK(mapinfo(&local, &info) == 0 && info.writable && !info.device
          && info.cache_type == uapi::CacheType::WriteBack);
    CHECK(mapinfo(reinterpret_cast<void const*>(&check_memory_and_time), &info) == 0 && !info.writable);
    CHECK_ERRNO(mapinfo(reinterpret_cast<void const*>(0x10000000), &info), ENOENT);
    u64 before = clock_ns();
    CHECK(sleep_ms(20) == 0);
    CHECK(clock_ns() - before >= 20 * 1000 * 1000);
    CHECK_ERRNO(wait(0, nullptr), EINVAL);
    CHECK_ERRNO(wait(12345, nullptr), ECHILD);
    CHECK_ERRNO(wait(-1, nullptr), ECHILD);
}

uapi::PingRequest ping_request(u32 address, u16 payload)
{
    uapi::PingRequest request {};
    request.address = address;
    request.sequence = 1;
    request.payload_size = payload;
    request.timeout_ms = 500;
    return request;
}

void check_ping()
{
    constexpr u32 LOOPBACK = 0x7F000001, GATEWAY = 0x0A000202;
    uapi::PingReply reply {};
    auto request = ping_request(LOOPBACK, 1000);
    CHECK(ping(&request, &reply) == 0 && reply.payload_size == 1000 && reply.ttl == 64);
    request = ping_request(LOOPBACK, uapi::PING_MAX_PAYLOAD);
    CHECK(ping(&request, &reply) == 0 && reply.payload_size == uapi::PING_MAX_PAYLOAD);
    request = ping_request(LOOPBACK, uapi::PING_MAX_PAYLOAD + 1);
    CHECK_ERRNO(ping(&request, &reply), EINVAL);
    request = ping_request(LOOPBACK, 56);
    request.timeout_ms = 0;
    CHECK_ERRNO(ping(&request, &reply), EINVAL);
    request.timeout_ms = uapi::PING_MAX_TIMEOUT_MS + 1;
    CHECK_ERRNO(ping(&request, &reply), EINVAL);
    request = ping_request(LOOPBACK, 56);
    request.reserved[1] = 1;
    CHECK_ERRNO(ping(&request, &reply), EINVAL);
    constexpr u32 NO_SINGLE_REPLY[] = { 0, 0xFFFFFFFF, 0xE0000001 };   // any, broadcast, multicast
    for (u32 address : NO_SINGLE_REPLY) {
        request = ping_request(address, 56);
        CHECK_ERRNO(ping(&request, &reply), EINVAL);
    }
    request = ping_request(GATEWAY, 56);   // no card, so no route to 10.0.2.0/24
    CHECK_ERRNO(ping(&request, &reply), ENETUNREACH);
}

}

int main()
{
    check_open();
    check_descriptors();
    check_shared_position();
    check_readdir();
    check_ioctl_and_poll();
    check_mmap_and_ioperm();
    check_memory_and_time();
    check_ping();
    return check::report("t_files");
}
