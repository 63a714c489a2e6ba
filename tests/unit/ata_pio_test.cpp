// The ATA driver's probing and its pio mode against the PIIX IDE model (lab 4's code): what
// IDENTIFY finds, polled reads and writes with 256 words per sector and no interrupts, LBA28
// and LBA48 register setup, requests split into commands, errors naming the sector, flush, and
// a device that never answers.
#include "ata_rig.h"
#include <cstring>

using namespace ata_test;
using models::IdeKind;

TEST_CASE("ata probe: disks, an ATAPI device, empty positions", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops, [](models::PiixIdeController& m) {
        m.primary.devices[0].model = "CONDUIT TEST DISK";
        m.primary.devices[0].serial = "SN-42";
        m.primary.devices[0].sectors = 123456;
        m.primary.devices[1].kind = IdeKind::Atapi;
        m.primary.devices[1].model = "CONDUIT CD-ROM";
    });
    ata::Drive& hda = rig.channel(0).drives[0];
    REQUIRE(hda.kind == ata::DriveKind::Ata);
    REQUIRE(std::string(hda.identity.model) == "CONDUIT TEST DISK");
    REQUIRE(std::string(hda.identity.serial) == "SN-42");
    REQUIRE(hda.identity.sectors == 123456);
    REQUIRE(hda.identity.lba48);
    REQUIRE(std::string(hda.name) == "hda");
    REQUIRE(rig.channel(0).drives[1].kind == ata::DriveKind::Atapi);
    REQUIRE(models::kernel_log().contains("CONDUIT CD-ROM (ATAPI packet device): not a disk, left alone"));
    REQUIRE(rig.channel(1).drives[0].kind == ata::DriveKind::None);
    REQUIRE(models::kernel_log().contains("ata1: no devices"));
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata probe: a slave without a master is used, with a warning", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops, [](models::PiixIdeController& m) {
        m.primary.devices[0].kind = IdeKind::Absent;
        m.primary.devices[1].kind = IdeKind::Disk;
    });
    REQUIRE(rig.channel(0).drives[0].kind == ata::DriveKind::None);
    REQUIRE(rig.channel(0).drives[1].kind == ata::DriveKind::Ata);
    REQUIRE(models::kernel_log().contains("a slave without a master"));
    ata::Target hdb { &rig.channel(0).drives[1], 0, 8192 };
    Request read(dev::BlockOp::Read, 7, 2);
    REQUIRE(!rig.run(read, &hdb).is_error());
    REQUIRE(rig.disk_matches(7, read.buffer, 2, 1));
}

TEST_CASE("ata pio: a polled read moves 256 words per sector and takes no interrupt", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops);
    Request read(dev::BlockOp::Read, 100, 8);
    REQUIRE(!rig.run(read).is_error());
    REQUIRE(read.completions == 1);
    REQUIRE(rig.buffer_matches(read, 100));
    REQUIRE(rig.ide().counters.data_words_in == 8 * 256 + 256);   // + IDENTIFY at probe
    REQUIRE(rig.model.irq14.rising_edges() == 0);                  // nIEN stayed set
    REQUIRE(rig.ide().counters.by_opcode[ata::command::READ_SECTORS] == 1);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata pio: a write reaches the disk and nothing else changes", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops);
    Request write(dev::BlockOp::Write, 3000, 16);
    write.fill(7);
    REQUIRE(!rig.run(write).is_error());
    REQUIRE(rig.disk_matches(3000, write.buffer, 16));
    REQUIRE(rig.disk().written_sector_count() == 16);
    REQUIRE(rig.disk().sectors_written == 16);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata pio: LBA28 below 2^28 sectors, LBA48 beyond it and for long requests", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops, [](models::PiixIdeController& m) { m.primary.devices[0].sectors = 1ull << 29; });
    u64 high = (1ull << 28) + 5;
    Request beyond(dev::BlockOp::Write, high, 3);
    beyond.fill(3);
    REQUIRE(!rig.run(beyond).is_error());
    REQUIRE(rig.disk_matches(high, beyond.buffer, 3));
    REQUIRE(rig.disk().was_written(high));
    REQUIRE(rig.ide().counters.by_opcode[ata::command::WRITE_SECTORS_EXT] == 1);
    Request low(dev::BlockOp::Read, (1ull << 28) - 2, 2);
    REQUIRE(!rig.run(low).is_error());
    REQUIRE(rig.buffer_matches(low, (1ull << 28) - 2));
    REQUIRE(rig.ide().counters.by_opcode[ata::command::READ_SECTORS] == 1);
    Request many(dev::BlockOp::Read, 10, 300);   // more than 256: one LBA48 command
    REQUIRE(!rig.run(many).is_error());
    REQUIRE(rig.buffer_matches(many, 10));
    REQUIRE(rig.ide().counters.by_opcode[ata::command::READ_SECTORS_EXT] == 1);
}

TEST_CASE("ata pio: a request larger than one command is split", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops, [](models::PiixIdeController& m) { m.primary.devices[0].lba48 = false; });
    Request read(dev::BlockOp::Read, 1, 600);
    REQUIRE(!rig.run(read).is_error());
    REQUIRE(rig.buffer_matches(read, 1));
    REQUIRE(rig.ide().counters.by_opcode[ata::command::READ_SECTORS] == 3);   // 256 + 256 + 88
    REQUIRE(read.completions == 1);
}

TEST_CASE("ata pio: a bad sector gives EIO naming it; the next request is fine", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops);
    rig.disk().read_faults[205] = models::SectorFault { models::ide_error::UNC };
    Request bad(dev::BlockOp::Read, 200, 8);
    auto result = rig.run(bad);
    REQUIRE(result.is_error());
    REQUIRE(result.error().code() == EIO);
    INFO(models::kernel_log().dump());
    REQUIRE(models::kernel_log().contains("hda: read error at sector 205: UNC (uncorrectable data)"));
    REQUIRE(rig.channel().drives[0].last_error.sector == 205);
    Request next(dev::BlockOp::Read, 300, 4);
    REQUIRE(!rig.run(next).is_error());
    REQUIRE(rig.buffer_matches(next, 300));
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata pio: flush uses FLUSH CACHE EXT", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops);
    Request write(dev::BlockOp::Write, 0, 1);
    write.fill(1);
    REQUIRE(!rig.run(write).is_error());
    REQUIRE(rig.disk().unflushed_writes == 1);
    Request flush(dev::BlockOp::Flush, 0, 0);
    REQUIRE(!rig.run(flush).is_error());
    REQUIRE(rig.disk().flushes == 1);
    REQUIRE(rig.disk().unflushed_writes == 0);
    REQUIRE(rig.ide().counters.by_opcode[ata::command::FLUSH_CACHE_EXT] == 1);
}

TEST_CASE("ata pio: a device that never answers times out; the channel is reset and recovers", "[ata][ata-pio]")
{
    AtaRig rig(ata::pio_mode_ops);
    u64 resets = rig.ide().counters.resets;
    rig.disk().hang_next_command = true;
    Request stuck(dev::BlockOp::Read, 50, 2);
    auto result = rig.run(stuck);
    REQUIRE(result.is_error());
    REQUIRE(result.error().code() == ETIMEDOUT);
    REQUIRE(models::kernel_log().contains("hda: read of 2 sector(s) at sector 50 timed out"));
    REQUIRE(rig.ide().counters.resets == resets + 1);
    REQUIRE(rig.channel().drives[0].kind == ata::DriveKind::Ata);   // identified again
    Request next(dev::BlockOp::Read, 60, 2);
    REQUIRE(!rig.run(next).is_error());
    REQUIRE(rig.buffer_matches(next, 60));
    REQUIRE(stuck.completions == 1);
}

TEST_CASE("ata probe: a reset that takes longer than 2 ms, with an absent slave probed last", "[ata][ata-pio]")
{
    // After SRST, register writes are ignored while the devices are busy, and an absent slave's
    // status reads 0 ("not busy"): the driver must watch device 0 (QEMU resets in a bottom half,
    // which can run late).
    AtaRig rig(ata::pio_mode_ops, [](models::PiixIdeController& m) { m.primary.timing.reset_ns = 5'000'000; });
    REQUIRE(rig.channel().drives[0].kind == ata::DriveKind::Ata);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
    rig.disk().hang_next_command = true;
    Request stuck(dev::BlockOp::Read, 1, 1);
    REQUIRE(rig.run(stuck).is_error());
    Request next(dev::BlockOp::Read, 2, 1);
    REQUIRE(!rig.run(next).is_error());
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}
