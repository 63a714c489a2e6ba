// t_uio ranges: the I/O manager decides who owns a range, for processes as for drivers.
//   * COM2's ports, granted to this process, are EBUSY for a child; given back (ioperm off),
//     the child gets them; when that child ends without giving them back, they are free again.
//   * A mapped register BAR is EBUSY for a child, unless both map it with MAP_SHARE_RANGE.
#include "../check.h"
#include "t_uio.h"
#include <conduit/text.h>
#include <kstd/enforce.h>

namespace {

int run_child(char const* mode)
{
    char const* argv[] = { "t_uio", mode, nullptr };
    int pid = spawn("/bin/t_uio", argv);
    int status = -1;
    if (pid < 0 || wait(pid, &status) != pid)
        return -1;
    return uapi::wait_exited(status) ? uapi::wait_exit_code(status) : 100 + uapi::wait_signal(status);
}

void* map_registers(u32 flags)
{
    uapi::UioInfo info;
    int fd = open_uio(info);
    auto const* regs = fd >= 0 ? find_region(info, uapi::UioRegionKind::Memory, uapi::CacheType::Uncached) : nullptr;
    if (!regs)
        return MAP_FAILED;
    return mmap(fd, 4096, uapi::PROT_READ, uapi::MAP_SHARED | flags, u64(regs - info.regions) * 4096);
}

// The child halves: exit 0 when the expected thing happened.
int child(char const* mode)
{
    if (strcmp(mode, "contend") == 0)
        return ioperm(0x2F8, 8, 1) == -1 && errno == EBUSY ? 0 : 1;
    if (strcmp(mode, "claim") == 0)
        return ioperm(0x2F8, 8, 1) == 0 ? 0 : 1;   // and exits holding them
    if (strcmp(mode, "map-exclusive") == 0)
        return map_registers(0) == MAP_FAILED && errno == EBUSY ? 0 : 1;
    if (strcmp(mode, "map-shared") == 0)
        return map_registers(uapi::MAP_SHARE_RANGE) != MAP_FAILED ? 0 : 1;
    return 2;
}

}

int ranges(char const* mode)
{
    if (strcmp(mode, "ranges") != 0)
        return child(mode);
    CHECK(ioperm(0x2F8, 8, 1) == 0);
    CHECK(run_child("contend") == 0);                  // ours: EBUSY for the child
    CHECK(ioperm(0x2F8, 8, 0) == 0);
    CHECK(run_child("claim") == 0);                    // free: the child takes them and exits
    CHECK(ioperm(0x2F8, 8, 1) == 0);                   // its exit gave them back
    CHECK_ERRNO(ioperm(0x2F8, 8, 1), EBUSY);           // a port is granted once
    CHECK(ioperm(0x2F8, 8, 0) == 0);

    void* exclusive = map_registers(0);
    CHECK(exclusive != MAP_FAILED);
    CHECK(run_child("map-exclusive") == 0);
    CHECK(run_child("map-shared") == 1);               // a shared ask cannot join an exclusive range
    CHECK(munmap(exclusive, 4096) == 0);
    void* shared = map_registers(uapi::MAP_SHARE_RANGE);
    CHECK(shared != MAP_FAILED);
    CHECK(run_child("map-shared") == 0);                // both shared: allowed
    return check::report("t_uio ranges");
}
