#pragma once
// Memory at the system-call interface: mapping a device's registers or buffer into a process
// (mmap on a /dev/uioN file) and asking what an address maps (mapinfo).
#include <kstd/types.h>

namespace uapi {

inline constexpr u32 PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;   // EXEC is refused for devices
// MAP_SHARED is required (device memory is shared with the device, as in Linux). The range is
// the process's alone (another process mapping it gets EBUSY) unless every process that maps
// it passes MAP_SHARE_RANGE, and then all of them get the same memory type.
inline constexpr u32 MAP_SHARED = 0x01;
inline constexpr u32 MAP_SHARE_RANGE = 0x100000;

// The memory types of x86's PAT, as the kernel's CachePolicy names them.
enum class CacheType : u32 { WriteBack = 0, WriteThrough = 1, Uncached = 2, WriteCombining = 3 };

struct MapInfo {
    u64 physical;          // physical address of the byte at `address`
    CacheType cache_type;  // read back from the page tables and IA32_PAT
    u32 pat_index;         // the PAT entry the PTE selects (PAT<<2 | PCD<<1 | PWT)
    u32 writable;
    u32 device;            // 1: device memory (mmap), 0: the process's own RAM
};
static_assert(sizeof(MapInfo) == 24);

// Where things are in a process (docs/user-space.md): programs are linked at 0x400000, device
// mappings start at DEVICE_MAP_BASE, the stack ends at the very top of the user half.
inline constexpr u64 PROGRAM_BASE = 0x400000;
inline constexpr u64 DEVICE_MAP_BASE = 0x0000100000000000;
inline constexpr u64 STACK_TOP = 0x0000800000000000;
inline constexpr u64 STACK_SIZE = 64 * 1024;

}
