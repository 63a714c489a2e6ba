// The PIIX IDE model on its own, driven by raw register sequences as the standards write
// them: IDENTIFY, the 400 ns window, PIO in and out, LBA48, errors naming the sector, software
// reset and signatures, and bus-master DMA with the checks that catch the classic bugs.
#include "../support.h"
#include "framework.h"
#include "piix_ide.h"
#include <kernel/io/dma.h>
#include <kernel/io/window.h>
#include <cstring>

namespace {

using namespace models;

struct TestDevice final : dev::Device {
    TestDevice() : dev::Device("piix-model-test", dev::BusType::Virtual) { set_dma_boundary(64 * KiB); }
};

struct Rig : ModelFixture {
    PiixIdeController ide;
    io::PortWindow cmd { 0x1F0, 8 };
    io::PortWindow ctl { 0x3F6, 1 };
    io::PortWindow bm { 0xC040, 8 };
    int interrupts = 0;

    Rig()
    {
        ide.primary.devices[0].kind = IdeKind::Disk;
        ide.attach();
        ide.irq14.connect([this] { ++interrupts; });
    }
    PiixIdeChannel& ch() { return ide.primary; }
    u8 wait_not_busy()
    {
        ctl.read8(0);
        models::clock().advance(400);
        u8 status;
        while ((status = ctl.read8(0)) & ide_status::BSY) {}
        return status;
    }
    void command_lba28(u8 command, u32 lba, u8 count, unsigned drive = 0)
    {
        cmd.write8(6, u8(0xE0 | drive << 4 | (lba >> 24 & 0xF)));
        cmd.write8(2, count);
        cmd.write8(3, u8(lba));
        cmd.write8(4, u8(lba >> 8));
        cmd.write8(5, u8(lba >> 16));
        cmd.write8(7, command);
    }
    void command_lba48(u8 command, u64 lba, u16 count)
    {
        cmd.write8(6, 0x40);
        cmd.write8(2, u8(count >> 8));
        cmd.write8(3, u8(lba >> 24));
        cmd.write8(4, u8(lba >> 32));
        cmd.write8(5, u8(lba >> 40));
        cmd.write8(2, u8(count));
        cmd.write8(3, u8(lba));
        cmd.write8(4, u8(lba >> 8));
        cmd.write8(5, u8(lba >> 16));
        cmd.write8(7, command);
    }
};

}

TEST_CASE_METHOD(Rig, "IDE model: IDENTIFY DEVICE by the book", "[models][piix]")
{
    ch().devices[0].model = "QEMU HARDDISK";
    ch().devices[0].sectors = 123456;
    command_lba28(0xEC, 0, 0);
    // Inside the 400 ns window the status is still the old one: not busy.
    REQUIRE(!(ctl.read8(0) & ide_status::BSY));
    u8 status = wait_not_busy();
    REQUIRE(status & ide_status::DRQ);
    REQUIRE(interrupts == 1);
    u16 words[256];
    cmd.read16_repeated(0, words, 256);
    REQUIRE((words[27] >> 8) == 'Q');
    REQUIRE((words[27] & 0xFF) == 'E');
    REQUIRE((words[60] | u32(words[61]) << 16) == 123456);
    REQUIRE(words[83] & (1 << 10));
    u8 sum = 0;
    for (u16 w : words)
        sum = u8(sum + (w & 0xFF) + (w >> 8));
    REQUIRE(sum == 0);
    REQUIRE(!(cmd.read8(7) & ide_status::DRQ));
    REQUIRE(ch().violations.empty());
}

TEST_CASE_METHOD(Rig, "IDE model: reading data before BSY clears is a violation", "[models][piix]")
{
    command_lba28(0x20, 5, 1);
    u16 word = cmd.read16(0);
    REQUIRE(word == 0xFFFF);
    REQUIRE(ch().has_violation("data register read while BSY"));
}

TEST_CASE_METHOD(Rig, "IDE model: PIO read, one interrupt per block, LBA48 beyond 2^28", "[models][piix]")
{
    ch().devices[0].sectors = 1ull << 29;
    u64 lba = (1ull << 28) + 7;
    command_lba48(0x24, lba, 3);
    for (int block = 0; block < 3; ++block) {
        u8 status = wait_not_busy();
        REQUIRE(status & ide_status::DRQ);
        REQUIRE(cmd.read8(7) == status);   // acknowledge
        u8 data[512];
        cmd.read16_repeated(0, reinterpret_cast<u16*>(data), 256);
        for (u32 i = 0; i < 512; ++i)
            REQUIRE(data[i] == IdeDevice::pattern_byte(lba + block, i));
    }
    REQUIRE(interrupts == 3);
    REQUIRE(ch().devices[0].sectors_read == 3);
    REQUIRE(ch().violations.empty());
}

TEST_CASE_METHOD(Rig, "IDE model: PIO write, errors name the sector, flush", "[models][piix]")
{
    ch().devices[0].write_faults[12] = SectorFault { ide_error::UNC };
    command_lba28(0x30, 10, 3);
    u8 block[512];
    std::memset(block, 0x5A, sizeof(block));
    for (int i = 0; i < 2; ++i) {
        REQUIRE(wait_not_busy() & ide_status::DRQ);
        cmd.write16_repeated(0, reinterpret_cast<u16*>(block), 256);
    }
    REQUIRE(wait_not_busy() & ide_status::DRQ);
    cmd.write16_repeated(0, reinterpret_cast<u16*>(block), 256);
    u8 status = wait_not_busy();
    REQUIRE(status & ide_status::ERR);
    REQUIRE(cmd.read8(1) == ide_error::UNC);
    REQUIRE(cmd.read8(3) == 12);
    REQUIRE(ch().devices[0].was_written(11));
    REQUIRE(!ch().devices[0].was_written(12));
    command_lba28(0xE7, 0, 0);
    REQUIRE(!(wait_not_busy() & ide_status::ERR));
    REQUIRE(ch().devices[0].flushes == 1);
    REQUIRE(ch().violations.empty());
}

TEST_CASE_METHOD(Rig, "IDE model: software reset and the ATAPI signature", "[models][piix]")
{
    ch().devices[1].kind = IdeKind::Atapi;
    ch().devices[0].hang_next_command = true;
    command_lba28(0x20, 0, 1);
    models::clock().advance(1'000'000'000);
    REQUIRE(ch().busy());
    ctl.write8(0, 0x06);
    models::clock().advance(5'000);
    ctl.write8(0, 0x02);
    REQUIRE(!(wait_not_busy() & ide_status::BSY));
    REQUIRE(cmd.read8(2) == 1);
    REQUIRE(cmd.read8(4) == 0);
    command_lba28(0xEC, 0, 0, 1);   // IDENTIFY DEVICE to the CD-ROM: aborted, signature shown
    u8 status = wait_not_busy();
    REQUIRE(status & ide_status::ERR);
    REQUIRE(cmd.read8(4) == 0x14);
    REQUIRE(cmd.read8(5) == 0xEB);
    REQUIRE(interrupts == 0);   // nIEN was set by the reset sequence
    REQUIRE(ch().violations.empty());
}

namespace {

struct DmaRig : Rig {
    TestDevice device;
    io::DmaCoherent<u64[]> prd;
    u8* buffer { nullptr };

    DmaRig()
    {
        prd = io::dma_alloc_coherent<u64[]>(device, 512).release_value();
        buffer = static_cast<u8*>(phys_memory().allocate(64 * KiB));
        ide.bus_master_enabled = true;
        bm.write32(4, u32(prd.bus_address()));
    }
    ~DmaRig() { phys_memory().free(buffer); }
    void entry(usize i, u64 address, u32 bytes, bool last) { prd[i] = address | u64(bytes & 0xFFFF) << 32 | (last ? 1ull << 63 : 0); }
    void read_dma(u32 lba, u8 count)
    {
        bm.write8(0, 0x08);
        bm.write8(2, 0x06);
        command_lba28(0xC8, lba, count);
        bm.write8(0, 0x09);
        models::clock().advance(10'000'000);
    }
};

}

TEST_CASE_METHOD(DmaRig, "IDE model: a correct READ DMA moves the data, one interrupt", "[models][piix]")
{
    auto map = io::dma_map_sg(device, Bytes(buffer, 4096), io::Direction::FromDevice, { .max_segment = 64 * KiB }).release_value();
    entry(0, map.segments()[0].bus_address, 2048, false);
    entry(1, map.segments()[0].bus_address + 2048, 2048, true);
    read_dma(100, 8);
    REQUIRE(interrupts == 1);
    REQUIRE((bm.read8(2) & 0x07) == 0x04);   // interrupt, not active: the table ended exactly
    REQUIRE(!(cmd.read8(7) & (ide_status::ERR | ide_status::BSY)));
    REQUIRE(map.unmap().is_error() == false);
    REQUIRE(buffer[513] == IdeDevice::pattern_byte(101, 1));
    REQUIRE(ch().violations_text() == "  (none)\n");
}

TEST_CASE_METHOD(DmaRig, "IDE model: the classic PRD and mapping bugs are named", "[models][piix]")
{
    auto map = io::dma_map_sg(device, Bytes(buffer, 64 * KiB), io::Direction::FromDevice, { .max_segment = 64 * KiB }).release_value();
    u64 base = map.segments()[0].bus_address;

    SECTION("no end-of-table bit")
    {
        for (usize i = 0; i < 512; ++i)
            entry(i, base, 512, false);
        read_dma(0, 1);
        REQUIRE(ch().has_violation("ran off the end of the table"));
    }
    SECTION("a region across 64 KiB")
    {
        entry(0, base + 64 * KiB - 1024, 2048, true);
        read_dma(0, 4);
        REQUIRE(ch().has_violation("crosses a 64 KiB boundary"));
    }
    SECTION("bus mastering off")
    {
        ide.bus_master_enabled = false;
        entry(0, base, 512, true);
        read_dma(0, 1);
        REQUIRE(ch().has_violation("bus mastering is not enabled"));
        REQUIRE(buffer[0] == 0);
    }
    SECTION("unmapped before the transfer ended")
    {
        entry(0, base, 512, true);
        bm.write8(0, 0x08);
        command_lba28(0xC8, 0, 1);
        bm.write8(0, 0x09);
        REQUIRE(!map.unmap().is_error());
        models::clock().advance(10'000'000);
        REQUIRE(ch().has_violation("not mapped for DMA"));
    }
    SECTION("the wrong DMA direction")
    {
        auto* other = static_cast<u8*>(phys_memory().allocate(512));
        auto wrong = io::dma_map_sg(device, Bytes(other, 512), io::Direction::ToDevice).release_value();
        entry(0, wrong.segments()[0].bus_address, 512, true);
        read_dma(0, 1);
        REQUIRE(ch().has_violation("wrong DMA direction"));
        REQUIRE(!wrong.unmap().is_error());
        phys_memory().free(other);
    }
    SECTION("direction bit against the command")
    {
        entry(0, base, 512, true);
        bm.write8(2, 0x06);
        command_lba28(0xC8, 0, 1);
        bm.write8(0, 0x01);
        models::clock().advance(10'000'000);
        REQUIRE(ch().has_violation("bus-master direction bit says memory -> device"));
    }
}
