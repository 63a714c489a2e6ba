// t_uio MODE: user-mode drivers through /dev/uio0 (tests/kernel/user_uio_tests.cpp).
//   vga        the std-VGA PCI function: maps its frame buffer and its register BAR, checks the
//              memory type the kernel gave each (mapinfo reads the PAT bits back: WC and UC),
//              writes and reads the frame buffer, reads the Bochs VBE ID register over MMIO
//   loopback N COM2 (a 16550) with ioperm: in loopback mode, N bytes each raise a receive
//              interrupt that arrives through read() on the file, is handled in ring 3, and is
//              unmasked with write()
//   ranges     who owns what: a port range granted to one process is EBUSY for another until
//              the first gives it back or dies; a mapped range likewise, unless every process
//              asks to share it (MAP_SHARE_RANGE)
//   contend, claim, map-exclusive, map-shared: the child halves of `ranges`
#include "../check.h"
#include "t_uio.h"
#include <conduit/port_io.h>
#include <conduit/text.h>
#include <uapi/uio.h>
#include <kstd/enforce.h>

namespace {

constexpr u16 VBE_DISPI_ID_OFFSET = 0x500;   // QEMU std-vga BAR2: the Bochs VBE registers

int vga()
{
    uapi::UioInfo info;
    int fd = open_uio(info);
    CHECK(fd >= 0);
    if (fd < 0)
        return check::report("t_uio vga");
    auto const* fb = find_region(info, uapi::UioRegionKind::Memory, uapi::CacheType::WriteCombining);
    auto const* regs = find_region(info, uapi::UioRegionKind::Memory, uapi::CacheType::Uncached);
    CHECK(fb && regs);
    if (!fb || !regs)
        return check::report("t_uio vga");
    u64 fb_offset = u64(fb - info.regions) * 4096, regs_offset = u64(regs - info.regions) * 4096;
    auto* frame = static_cast<u32 volatile*>(mmap(fd, 1024 * 1024, uapi::PROT_READ | uapi::PROT_WRITE, uapi::MAP_SHARED, fb_offset));
    auto* registers = static_cast<u8 volatile*>(mmap(fd, 4096, uapi::PROT_READ, uapi::MAP_SHARED, regs_offset));
    CHECK(frame != MAP_FAILED && registers != MAP_FAILED);
    if (frame == MAP_FAILED || registers == MAP_FAILED)
        return check::report("t_uio vga");

    uapi::MapInfo frame_info, register_info;
    CHECK(mapinfo(const_cast<u32*>(frame), &frame_info) == 0 && mapinfo(const_cast<u8*>(registers), &register_info) == 0);
    CHECK(frame_info.physical == fb->start && frame_info.device && frame_info.writable);
    CHECK(register_info.physical == regs->start && register_info.device && !register_info.writable);
    printf("frame buffer %#lx: %s (PAT entry %u); registers %#lx: %s (PAT entry %u)\n", frame_info.physical,
           frame_info.cache_type == uapi::CacheType::WriteCombining ? "write-combining" : "other", frame_info.pat_index,
           register_info.physical, register_info.cache_type == uapi::CacheType::Uncached ? "uncached" : "other",
           register_info.pat_index);
    CHECK(frame_info.cache_type == uapi::CacheType::WriteCombining);
    CHECK(register_info.cache_type == uapi::CacheType::Uncached);

    for (u32 i = 0; i < 1024; ++i)
        frame[i] = 0xC0DE0000 | i;
    u32 mismatches = 0;
    for (u32 i = 0; i < 1024; ++i)
        mismatches += frame[i] != (0xC0DE0000 | i) ? 1 : 0;
    CHECK(mismatches == 0);
    u16 id = *reinterpret_cast<u16 volatile*>(registers + VBE_DISPI_ID_OFFSET);
    printf("VBE DISPI ID register: %#x\n", id);
    CHECK((id & 0xFFF0) == 0xB0C0);

    // Unmapping gives the range back; unmapping twice is an error.
    CHECK(munmap(const_cast<u32*>(frame), 1024 * 1024) == 0);
    CHECK_ERRNO(munmap(const_cast<u32*>(frame), 1024 * 1024), EINVAL);
    CHECK(mmap(fd, 4096, uapi::PROT_READ, uapi::MAP_SHARED, 7 * 4096) == MAP_FAILED && errno == EINVAL);   // no region 7
    return check::report("t_uio vga");
}

}

int open_uio(uapi::UioInfo& info)
{
    int fd = open("/dev/uio0", OPEN_READ_WRITE);
    if (fd < 0 || ioctl(fd, uapi::UIO_GET_INFO, uptr(&info)) < 0)
        return -1;
    return fd;
}

uapi::UioRegion const* find_region(uapi::UioInfo const& info, uapi::UioRegionKind kind, uapi::CacheType type)
{
    for (u32 i = 0; i < info.region_count; ++i) {
        if (info.regions[i].kind == kind && uapi::CacheType(info.regions[i].cache_type) == type)
            return &info.regions[i];
    }
    return nullptr;
}

int main(int argc, char** argv)
{
    u64 count = 0;
    if (argc >= 2 && strcmp(argv[1], "vga") == 0)
        return vga();
    if (argc >= 3 && strcmp(argv[1], "loopback") == 0 && parse_size(argv[2], &count))
        return loopback(count);
    if (argc >= 2)
        return ranges(argv[1]);
    dprintf(STDERR, "usage: t_uio vga | loopback N | ranges\n");
    return 2;
}
