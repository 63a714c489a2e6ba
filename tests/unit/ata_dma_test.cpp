// The ATA driver's dma mode against the PIIX IDE model (lab 6's code): one PRD per segment,
// the end bit, nothing across 64 KiB, bus mastering, one interrupt per command, the mapping
// alive until the transfer ended and unmapped afterwards, bounce buffers for memory out of
// reach, errors and timeouts that leave no mapping behind.
#include "ata_rig.h"

using namespace ata_test;

namespace {

u64 live_mappings() { return io::dma_stats().live_mappings; }

}

TEST_CASE("ata dma: a read is one command and one interrupt, and leaves no mapping", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops);
    REQUIRE(rig.model.bus_master_enabled);
    u64 live = live_mappings();
    Request read(dev::BlockOp::Read, 64, 128);   // 64 KiB
    REQUIRE(!rig.run(read).is_error());
    REQUIRE(rig.buffer_matches(read, 64));
    REQUIRE(rig.model.irq14.rising_edges() == 1);
    REQUIRE(rig.ide().counters.dma_transfers == 1);
    REQUIRE(rig.ide().counters.data_words_in == 256);   // IDENTIFY only: DMA never touches the data port
    REQUIRE(live_mappings() == live);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata dma: a scattered buffer gets one PRD per page", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops);
    Request write(dev::BlockOp::Write, 1000, 128, models::Zone::Scattered);   // 16 pages, reversed
    write.fill(11);
    REQUIRE(!rig.run(write).is_error());
    REQUIRE(rig.disk_matches(1000, write.buffer, 128));
    REQUIRE(rig.ide().counters.prd_entries == 16);
    REQUIRE(rig.channel().stats.prd_entries == 16);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata dma: memory above 4 GiB is bounced, both ways", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops);
    Request write(dev::BlockOp::Write, 10, 16, models::Zone::High);
    write.fill(4);
    REQUIRE(!rig.run(write).is_error());
    REQUIRE(rig.disk_matches(10, write.buffer, 16));
    Request read(dev::BlockOp::Read, 10, 16, models::Zone::High);
    REQUIRE(!rig.run(read).is_error());
    REQUIRE(rig.disk_matches(10, read.buffer, 16));
    REQUIRE(rig.channel().stats.bounced_commands == 2);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata dma: a 3 MiB request is split into 1 MiB commands", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops, [](models::PiixIdeController& m) { m.primary.devices[0].sectors = 16384; });
    Request read(dev::BlockOp::Read, 100, 6144);
    REQUIRE(!rig.run(read).is_error());
    REQUIRE(rig.buffer_matches(read, 100));
    REQUIRE(rig.ide().counters.by_opcode[ata::command::READ_DMA_EXT] == 3);
    REQUIRE(rig.model.irq14.rising_edges() == 3);
    REQUIRE(read.completions == 1);
}

TEST_CASE("ata dma: a failed sector gives EIO, the next request works, nothing leaks", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops);
    u64 live = live_mappings();
    rig.disk().write_faults[33] = models::SectorFault { models::ide_error::UNC };
    Request bad(dev::BlockOp::Write, 30, 8), good(dev::BlockOp::Read, 40, 8);
    bad.fill(1);
    rig.submit(bad);
    rig.submit(good);
    REQUIRE(rig.wait(good));
    REQUIRE(bad.status == EIO);
    REQUIRE(good.status == 0);
    REQUIRE(models::kernel_log().contains("hda: write error at sector 33"));
    REQUIRE(live_mappings() == live);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata dma: a hung command times out: engine stopped, unmapped, channel reset", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops);
    u64 live = live_mappings();
    rig.disk().hang_next_command = true;
    Request stuck(dev::BlockOp::Read, 5, 8), after(dev::BlockOp::Read, 5, 8);
    rig.submit(stuck);
    rig.submit(after);
    REQUIRE(rig.wait(after));
    REQUIRE(stuck.status == ETIMEDOUT);
    REQUIRE(after.status == 0);
    REQUIRE(rig.buffer_matches(after, 5));
    REQUIRE(live_mappings() == live);
    REQUIRE(!(rig.ide().bus_master_status() & 0x01));
    REQUIRE(stuck.completions == 1);
}

TEST_CASE("ata dma: flush", "[ata][ata-dma]")
{
    AtaRig rig(ata::dma_mode_ops);
    Request flush(dev::BlockOp::Flush, 0, 0);
    REQUIRE(!rig.run(flush).is_error());
    REQUIRE(rig.disk().flushes == 1);
}
