#pragma once
// GDT selectors and the TSS, shared by cpu_tables.cpp (which builds them) and the ring-3 code
// (user_mode.cpp, syscall_entry.S). Only arch/x86_64 includes this header.
//
// The GDT order is fixed by SYSRET (SDM vol. 2B): it loads CS from STAR[63:48] + 16 and SS from
// STAR[63:48] + 8, so the user data descriptor must sit directly below user code.
//   0x00 null, 0x08 kernel code, 0x10 kernel data, 0x18 user data, 0x20 user code, 0x28 TSS
#include <arch/user.h>
#include <kstd/types.h>

namespace arch {

inline constexpr u16 KERNEL_CODE_SELECTOR = 0x08;
inline constexpr u16 KERNEL_DATA_SELECTOR = 0x10;
inline constexpr u16 USER_DATA_SELECTOR = 0x18 | 3;   // RPL 3
inline constexpr u16 USER_CODE_SELECTOR = 0x20 | 3;
inline constexpr u16 TSS_SELECTOR = 0x28;
// STAR[63:48]: SYSRET adds 8 (SS) and 16 (CS) to this and sets RPL 3.
inline constexpr u16 SYSRET_SELECTOR_BASE = 0x10;

// The 64-bit TSS (SDM vol. 3A, 8.7) followed by the I/O permission bitmap (SDM vol. 1,
// 19.5.2): one bit per port, set = denied, and a final byte of all ones that the CPU may read
// past the last port. The segment limit covers the bitmap; pointing iomap_base past the limit
// denies every port without touching the bitmap (Linux's IO_BITMAP_OFFSET_INVALID).
struct [[gnu::packed]] Tss {
    u32 reserved0;
    u64 rsp[3];
    u64 reserved1;
    u64 ist[7];
    u64 reserved2;
    u16 reserved3;
    u16 iomap_base;
    u8 io_bitmap[IO_BITMAP_BYTES];
    u8 io_bitmap_end;   // always 0xFF
};
static_assert(sizeof(Tss) == 104 + IO_BITMAP_BYTES + 1);

inline constexpr u16 TSS_HEADER_SIZE = 104;
inline constexpr u16 IO_BITMAP_OFFSET_VALID = TSS_HEADER_SIZE;
inline constexpr u16 IO_BITMAP_OFFSET_INVALID = sizeof(Tss);   // beyond the limit

// The one TSS (cpu_tables.cpp).
Tss& tss();

}
