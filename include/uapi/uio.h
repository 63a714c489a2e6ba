#pragma once
// User-mode drivers: a device handed to user space (Linux's UIO), at the system-call interface.
//
// The kernel binds its `uio` driver to a device named on the command line (`uio=serial8250.1`
// for COM2, `uio=pci:00:02.0` for a PCI function) instead of the device's own driver, and
// registers /dev/uioN. A process that opens it:
//   * reads the device's resources with UIO_GET_INFO;
//   * asks for its ports with ioperm(first, count, 1) (the TSS I/O permission bitmap);
//   * maps its memory regions with mmap(fd, length, PROT_READ | PROT_WRITE, MAP_SHARED,
//     region * 4096): region N at offset N pages, as Linux's UIO does. The kernel picks the
//     memory type (UC for registers, WC for prefetchable memory such as a frame buffer);
//   * waits for its interrupt with read(fd, &count, 4): blocks until the line fires, then
//     returns the total number of interrupts so far (a u32). The kernel masks the line when it
//     fires; write(fd, &one, 4) with one = 1 unmasks it again (0 masks it). The loop of every
//     user-mode driver:
//         initialise the device; write(fd, &one, 4);
//         for (;;) { read(fd, &count, 4); service the device; write(fd, &one, 4); }
// One process at a time may have a /dev/uioN open (EBUSY); its ports and mappings are given
// back when it exits.
#include <kstd/types.h>
#include <uapi/ioctl.h>

namespace uapi {

inline constexpr usize UIO_MAX_REGIONS = 6;

enum class UioRegionKind : u32 { None = 0, Ports = 1, Memory = 2 };

struct UioRegion {
    UioRegionKind kind;
    u32 cache_type;        // Memory: the CacheType (memory.h) mmap will use
    u64 start;             // first port, or physical address
    u64 length;            // ports, or bytes
};
static_assert(sizeof(UioRegion) == 24);

struct UioInfo {
    char device[32];       // the bus device: "serial8250.1", "00:02.0"
    u32 irq;               // the interrupt line (IrqLine), or ~0u for none
    u32 region_count;
    UioRegion regions[UIO_MAX_REGIONS];
};

inline constexpr u32 UIO_NO_IRQ = ~0u;
inline constexpr u32 UIO_GET_INFO = ioctl_read<UioInfo>('u', 1);

}
