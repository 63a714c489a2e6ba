// IDENTIFY (lab 4): asking a device what it is. IDENTIFY DEVICE (ECh) returns 256 words: who
// made it, how many sectors it has and which commands and transfer modes it supports
// (ATA/ATAPI-6 8.15.8). A packet device (a CD-ROM) aborts it and leaves the ATAPI signature
// 14h/EBh in LBA mid/high; IDENTIFY PACKET DEVICE (A1h) then names it. The driver leaves
// packet devices alone: it only says that they are there.
#include "ata.h"
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace ata {

namespace {

constexpr u8 CHECKSUM_SIGNATURE = 0xA5;

// ATA strings: two characters per word, the first in the high byte, padded with spaces.
void copy_ata_string(Span<u16 const> words, usize first, usize count, char* out)
{
    // BEGIN LAB 4
    for (usize i = 0; i < count; ++i) {
        out[2 * i] = char(words[first + i] >> 8);
        out[2 * i + 1] = char(words[first + i] & 0xFF);
    }
    usize length = 2 * count;
    while (length > 0 && (out[length - 1] == ' ' || out[length - 1] == '\0'))
        --length;
    out[length] = '\0';
    // END LAB 4
    // STUB LAB 4: (void)words, (void)first, (void)count;
    // STUB LAB 4: out[0] = '\0';   // lab 4: two characters per word, high byte first; trim the spaces
}

bool checksum_ok(Span<u16 const> words)
{
    if ((words[255] & 0xFF) != CHECKSUM_SIGNATURE)
        return true;   // no checksum offered (word 255 is optional)
    u8 sum = 0;
    for (u16 word : words)
        sum = u8(sum + (word & 0xFF) + (word >> 8));
    return sum == 0;
}

}

ErrorOr<Identity> parse_identity(Span<u16 const> words)
{
    if (words.size() != 256 || !checksum_ok(words))
        return Error::from_errno(EINVAL);
    Identity id {};
    copy_ata_string(words, 27, 20, id.model);
    copy_ata_string(words, 10, 10, id.serial);
    copy_ata_string(words, 23, 4, id.firmware);
    // BEGIN LAB 4
    id.lba = words[49] & (1 << 9);
    id.dma = words[49] & (1 << 8);
    id.lba48 = (words[83] & (1 << 10)) && (words[86] & (1 << 10));
    if (id.lba48) {
        id.sectors = u64(words[100]) | u64(words[101]) << 16 | u64(words[102]) << 32 | u64(words[103]) << 48;
    } else {
        id.sectors = u64(words[60]) | u64(words[61]) << 16;
    }
    // END LAB 4
    // STUB LAB 4: // lab 4: LBA (word 49 bit 9), DMA (49.8), LBA48 (83.10 and 86.10), and the capacity:
    // STUB LAB 4: // words 100-103 with LBA48, words 60-61 without
    id.mwdma_modes = u8(words[63] & 0x07);
    id.udma_modes = (words[53] & (1 << 2)) ? u8(words[88] & 0xFF) : 0;
    id.write_cache = (words[82] & (1 << 5)) && (words[85] & (1 << 5));
    id.flush_ext = id.lba48 && (words[83] & (1 << 13));
    return id;
}

namespace {

bool atapi_signature(Channel& channel)
{
    return channel.cmd.read(regs::lba_mid) == SIGNATURE_ATAPI_MID && channel.cmd.read(regs::lba_high) == SIGNATURE_ATAPI_HIGH;
}

ErrorOr<void> identify_packet_device(Channel& channel, Drive& drive)
{
    u16 words[256];
    Status status = TRY(exec_polled(channel, drive, { .opcode = command::IDENTIFY_PACKET, .data_in = Span<u16>(words) }));
    drive.kind = DriveKind::Atapi;
    drive.identity = Identity {};
    if (!has(status, Status::Err))
        copy_ata_string(Span<u16 const>(words), 27, 20, drive.identity.model);
    return {};
}

}

ErrorOr<void> identify_drive(Channel& channel, Drive& drive)
{
    u16 words[256];
    Status status = TRY(exec_polled(channel, drive, { .opcode = command::IDENTIFY, .data_in = Span<u16>(words) }));
    if (has(status, Status::Err)) {
        if (atapi_signature(channel))
            return identify_packet_device(channel, drive);
        return Error::from_errno(ENODEV);
    }
    if (!has(status, Status::Drdy))
        return Error::from_errno(ENODEV);
    auto identity = parse_identity(Span<u16 const>(words));
    if (identity.is_error()) {
        log_warn("%s: device %u: IDENTIFY data fails its checksum\n", channel.name, drive.unit);
        return identity.release_error();
    }
    if (!identity.value().lba || identity.value().sectors == 0) {
        log_warn("%s: device %u: %s has no LBA addressing; not supported\n", channel.name, drive.unit,
                 identity.value().model);
        return Error::from_errno(EOPNOTSUPP);
    }
    drive.kind = DriveKind::Ata;
    drive.identity = identity.release_value();
    return {};
}

}
