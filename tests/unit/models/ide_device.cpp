// One modelled IDE device (ide_device.h): IDENTIFY data, sparse sectors, injected faults.
#include <kstd/error.h>
#include "ide_device.h"
#include <cstring>

namespace models {

namespace {

// ATA strings are pairs of ASCII bytes per word, first character in the high byte, padded
// with spaces (ATA/ATAPI-6, 3.2.7 "byte ordering").
void put_string(std::array<u16, 256>& words, usize first, usize count, std::string const& text)
{
    for (usize i = 0; i < count; ++i) {
        char high = 2 * i < text.size() ? text[2 * i] : ' ';
        char low = 2 * i + 1 < text.size() ? text[2 * i + 1] : ' ';
        words[first + i] = u16(u8(high) << 8 | u8(low));
    }
}

// Word 255: signature A5h in the low byte, and a high byte that makes all 512 bytes sum to 0.
void put_checksum(std::array<u16, 256>& words)
{
    words[255] = 0x00A5;
    u8 sum = 0;
    for (usize i = 0; i < 255; ++i)
        sum = u8(sum + (words[i] & 0xFF) + (words[i] >> 8));
    sum = u8(sum + 0xA5);
    words[255] = u16(u8(-sum) << 8 | 0xA5);
}

}

std::array<u16, 256> IdeDevice::identify() const
{
    std::array<u16, 256> w {};
    w[0] = 0x0040;                                   // ATA device, fixed
    put_string(w, 10, 10, serial);
    put_string(w, 23, 4, firmware);
    put_string(w, 27, 20, model);
    w[47] = 0x8010;                                  // READ/WRITE MULTIPLE: 16 sectors
    w[49] = 1 << 9 | 1 << 8;                         // LBA, DMA
    w[53] = 1 << 1 | 1 << 2;                         // words 64-70 and 88 valid
    u64 lba28 = sectors < (1ull << 28) ? sectors : (1ull << 28) - 1;
    w[60] = u16(lba28);
    w[61] = u16(lba28 >> 16);
    w[63] = mwdma_modes;
    w[80] = 0x007E;                                  // ATA-1 to ATA-6
    w[82] = u16(1 << 14 | (write_cache ? 1 << 5 : 0));
    w[83] = u16(1 << 14 | 1 << 12 | (lba48 ? 1 << 10 | 1 << 13 : 0));
    w[84] = 1 << 14;
    w[85] = u16(write_cache ? 1 << 5 : 0);
    w[86] = u16(1 << 12 | (lba48 ? 1 << 10 | 1 << 13 : 0));
    w[87] = 1 << 14;
    w[88] = udma_modes;
    if (lba48) {
        for (usize i = 0; i < 4; ++i)
            w[100 + i] = u16(sectors >> (16 * i));
    }
    if (checksum)
        put_checksum(w);
    return w;
}

std::array<u16, 256> IdeDevice::identify_packet() const
{
    std::array<u16, 256> w {};
    w[0] = 0x8580;                                   // ATAPI, CD-ROM, removable, 12-byte packets
    put_string(w, 10, 10, serial);
    put_string(w, 23, 4, firmware);
    put_string(w, 27, 20, model);
    w[49] = 1 << 9 | 1 << 8;
    return w;
}

u8 IdeDevice::pattern_byte(u64 lba, u32 offset)
{
    u64 x = (lba * 0x9E3779B97F4A7C15ull) ^ (u64(offset / 8) * 0xC2B2AE3D27D4EB4Full);
    x ^= x >> 29;
    return u8(x >> (8 * (offset % 8)));
}

void IdeDevice::read_sector(u64 lba, u8* out) const
{
    if (auto it = m_written.find(lba); it != m_written.end()) {
        std::memcpy(out, it->second.data(), SECTOR);
        return;
    }
    for (u32 i = 0; i < SECTOR; ++i)
        out[i] = pattern_byte(lba, i);
}

void IdeDevice::write_sector(u64 lba, u8 const* data)
{
    std::memcpy(m_written[lba].data(), data, SECTOR);
}

u8 IdeDevice::take_fault(u64 lba, bool is_write)
{
    auto& faults = is_write ? write_faults : read_faults;
    auto it = faults.find(lba);
    if (it == faults.end())
        return 0;
    u8 error = it->second.error;
    if (it->second.once)
        faults.erase(it);
    return error;
}

}
