// The grader's self-tests of the host checks (never in a handout): each purpose-made wrong
// driver (drivers/block/ata/wrong_modes.instructor.cpp) runs the lab's host check, and the
// PIIX model must name its bug. The lab tests require no violation at all, so each of these
// wrong drivers fails them with exactly the message checked here.
#include "ata_rig.h"
#include "../../drivers/block/ata/wrong_modes.instructor.h"

using namespace ata_test;

TEST_CASE("selftest: a pio driver that does not wait for BSY is named", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::no_bsy_wait);
    Request read(dev::BlockOp::Read, 8, 4);
    rig.submit(read);
    (void)rig.wait(read);
    REQUIRE(rig.ide().has_violation("data register read while BSY: the driver did not wait for BSY to clear"));
}

TEST_CASE("selftest: a pio driver that ignores DRQ is named, and its EIO is missing", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::drq_ignored);
    rig.disk().read_faults[10] = models::SectorFault { models::ide_error::UNC };
    Request read(dev::BlockOp::Read, 8, 4);
    rig.submit(read);
    (void)rig.wait(read);
    REQUIRE(rig.ide().has_violation("data register read without DRQ"));
    REQUIRE(read.status == 0);   // the failed sector was "read": garbage, reported as success
}

TEST_CASE("selftest: an irq mode that polls is seen polling", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::irq_polls);
    u64 alt = rig.ide().counters.alt_status_reads;
    Request read(dev::BlockOp::Read, 40, 16);
    REQUIRE(!rig.run(read).is_error());
    REQUIRE(rig.ide().counters.alt_status_reads - alt > 16);   // the lab allows 4
}

TEST_CASE("selftest: a PRD table without its end bit is named", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::prd_no_eot);
    Request read(dev::BlockOp::Read, 0, 8);
    rig.submit(read);
    (void)rig.wait(read);
    REQUIRE(rig.ide().has_violation("the last entry has no end-of-table bit"));
}

TEST_CASE("selftest: a PRD crossing 64 KiB is named", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::prd_cross_64k);
    Request big(dev::BlockOp::Read, 0, 384);
    // 32 KiB that start 4 KiB below a 64 KiB line.
    u64 phys = *models::phys_memory().to_phys(big.buffer);
    usize offset = usize((60 * KiB - phys % (64 * KiB)) % (64 * KiB));
    big.request.buffer = Bytes(big.buffer + offset, 32 * KiB);
    big.request.count = 64;
    rig.submit(big);
    (void)rig.wait(big);
    REQUIRE(rig.ide().has_violation("crosses a 64 KiB boundary"));
}

TEST_CASE("selftest: DMA with bus mastering off is named", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::no_bus_master);
    Request read(dev::BlockOp::Read, 0, 8);
    rig.submit(read);
    (void)rig.wait(read);
    REQUIRE(rig.ide().has_violation("bus mastering is not enabled in the PCI command register"));
}

TEST_CASE("selftest: unmapping before the transfer ends is named", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::unmap_early);
    Request read(dev::BlockOp::Read, 0, 8);
    rig.submit(read);
    (void)rig.wait(read);
    REQUIRE(rig.ide().has_violation("not mapped for DMA (never mapped, or unmapped before the transfer ended)"));
}

TEST_CASE("selftest: the wrong DMA direction is named", "[ata-selftest]")
{
    AtaRig rig(ata::wrong::wrong_direction);
    Request read(dev::BlockOp::Read, 0, 8);
    rig.submit(read);
    (void)rig.wait(read);
    REQUIRE(rig.ide().has_violation("wrong DMA direction for a read"));
}
