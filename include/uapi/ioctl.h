#pragma once
// ioctl request numbers that carry their argument's size and direction (Linux's _IOC scheme),
// so that the kernel can copy the argument in and out of user memory for the driver:
//
//   bits 31-30  direction: 0 none (the argument is a plain number), 1 write (user -> driver),
//               2 read (driver -> user), 3 both
//   bits 29-16  size of the argument structure in bytes
//   bits 15-8   type: one letter per subsystem
//   bits 7-0    number
//
// A request with direction "none" passes its argument through as a number. dev::ioctl_code()
// makes exactly those (size and direction 0). A driver only ever sees kernel pointers.
#include <kstd/types.h>

namespace uapi {

enum class IoctlDirection : u32 { None = 0, Write = 1, Read = 2, ReadWrite = 3 };

constexpr u32 ioctl_encode(IoctlDirection direction, char type, u8 number, u32 size)
{
    return u32(direction) << 30 | (size & 0x3FFF) << 16 | u32(u8(type)) << 8 | number;
}
constexpr u32 ioctl_none(char type, u8 number) { return ioctl_encode(IoctlDirection::None, type, number, 0); }
template<typename T>
constexpr u32 ioctl_read(char type, u8 number) { return ioctl_encode(IoctlDirection::Read, type, number, sizeof(T)); }
template<typename T>
constexpr u32 ioctl_write(char type, u8 number) { return ioctl_encode(IoctlDirection::Write, type, number, sizeof(T)); }
template<typename T>
constexpr u32 ioctl_read_write(char type, u8 number)
{
    return ioctl_encode(IoctlDirection::ReadWrite, type, number, sizeof(T));
}

constexpr IoctlDirection ioctl_direction(u32 request) { return IoctlDirection(request >> 30); }
constexpr u32 ioctl_size(u32 request) { return (request >> 16) & 0x3FFF; }

}
