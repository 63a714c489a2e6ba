// QEMU firmware configuration device (docs/specs/fw_cfg.txt in QEMU): selector port 0x510
// (16-bit), data port 0x511 (8-bit). The file directory (selector 0x19) is a big-endian count
// followed by 64-byte entries {be32 size, be16 select, u16 reserved, char name[56]}.
#include <arch/cpu.h>
#include <arch/platform.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace arch {

namespace {
constexpr u16 FW_CFG_SELECTOR = 0x510;
constexpr u16 FW_CFG_DATA = 0x511;
constexpr u16 FW_CFG_SIGNATURE = 0x0000;
constexpr u16 FW_CFG_FILE_DIR = 0x0019;
constexpr usize FILE_NAME_LENGTH = 56;

void select(u16 key) { out16(FW_CFG_SELECTOR, key); }
void read_bytes(u8* out, usize n)
{
    for (usize i = 0; i < n; ++i)
        out[i] = in8(FW_CFG_DATA);
}
u32 read_be32()
{
    u8 b[4];
    read_bytes(b, 4);
    return (u32(b[0]) << 24) | (u32(b[1]) << 16) | (u32(b[2]) << 8) | b[3];
}
u16 read_be16()
{
    u8 b[2];
    read_bytes(b, 2);
    return u16((b[0] << 8) | b[1]);
}

bool present()
{
    select(FW_CFG_SIGNATURE);
    u8 sig[4];
    read_bytes(sig, 4);
    return sig[0] == 'Q' && sig[1] == 'E' && sig[2] == 'M' && sig[3] == 'U';
}
}

ErrorOr<usize> fw_cfg_read_file(char const* name, u8* buffer, usize capacity)
{
    if (!present())
        return Error::from_errno(ENODEV);
    select(FW_CFG_FILE_DIR);
    u32 count = read_be32();
    for (u32 i = 0; i < count; ++i) {
        u32 size = read_be32();
        u16 key = read_be16();
        u8 reserved[2];
        read_bytes(reserved, 2);
        char entry_name[FILE_NAME_LENGTH];
        read_bytes(reinterpret_cast<u8*>(entry_name), FILE_NAME_LENGTH);
        entry_name[FILE_NAME_LENGTH - 1] = '\0';
        if (kstd::strcmp(entry_name, name) != 0)
            continue;
        if (size > capacity)
            return Error::from_errno(E2BIG);
        select(key);
        read_bytes(buffer, size);
        return usize(size);
    }
    return Error::from_errno(ENOENT);
}

}
