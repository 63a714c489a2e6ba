#pragma once
// Files at the system-call interface: open flags, seek origins, poll events and directory
// entries (values follow Linux where Linux has one).
#include <kstd/types.h>

namespace uapi {

// open(): exactly one access mode, optionally NONBLOCK.
inline constexpr u32 OPEN_READ = 0;         // O_RDONLY
inline constexpr u32 OPEN_WRITE = 1;        // O_WRONLY
inline constexpr u32 OPEN_READ_WRITE = 2;   // O_RDWR
inline constexpr u32 OPEN_ACCESS_MASK = 3;
inline constexpr u32 OPEN_NONBLOCK = 0x800; // O_NONBLOCK: calls that would sleep fail with EAGAIN

inline constexpr u32 SEEK_SET = 0, SEEK_CUR = 1, SEEK_END = 2;

// poll()
struct PollFd {
    i32 fd;          // a negative fd is skipped (revents 0)
    i16 events;      // what the caller waits for
    i16 revents;     // what is true now (the kernel fills it; ERR and HUP are always reported)
};
static_assert(sizeof(PollFd) == 8);
inline constexpr i16 POLL_IN = 0x001, POLL_OUT = 0x004, POLL_ERR = 0x008, POLL_HUP = 0x010,
                     POLL_NVAL = 0x020;   // POLLNVAL: fd is not open

// readdir(): the entries of "/dev" (devices) and "/bin" (the programs).
enum class DirEntryKind : u32 { CharDevice = 1, BlockDevice = 2, Program = 3 };
inline constexpr usize DIR_NAME_SIZE = 32;
struct DirEntry {
    char name[DIR_NAME_SIZE];   // NUL-terminated
    DirEntryKind kind;
    u32 major, minor;           // devices
    u64 size;                   // bytes: a block device's capacity, a program's file size
    u32 sector_size;            // block devices
    u32 reserved;
    char driver[DIR_NAME_SIZE]; // devices: who implements it
};
static_assert(sizeof(DirEntry) == 96);

}
