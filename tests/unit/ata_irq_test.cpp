// The ATA driver's irq mode against the PIIX IDE model (lab 5's code): one interrupt per
// sector, the status register read once per interrupt (acknowledging it), no polling, requests
// queued behind each other on both drives, errors and timeouts handled from the interrupt path
// and the error handler.
#include "ata_rig.h"

using namespace ata_test;

namespace {

void two_disks(models::PiixIdeController& m) { m.primary.devices[1].kind = models::IdeKind::Disk; }

}

TEST_CASE("ata irq: a read takes one interrupt per sector and does not poll", "[ata][ata-irq]")
{
    AtaRig rig(ata::irq_mode_ops);
    u64 alt_before = rig.ide().counters.alt_status_reads;
    Request read(dev::BlockOp::Read, 40, 16);
    rig.submit(read);
    REQUIRE(!read.completed());   // submit only starts the command
    REQUIRE(rig.wait(read));
    REQUIRE(read.status == 0);
    REQUIRE(rig.buffer_matches(read, 40));
    REQUIRE(rig.model.irq14.rising_edges() == 16);
    REQUIRE(rig.channel().stats.interrupts == 16);
    // Starting the command settles once; the interrupts need no polling at all.
    REQUIRE(rig.ide().counters.alt_status_reads - alt_before <= 4);
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata irq: a write sends its first block on DRQ, the rest on interrupts", "[ata][ata-irq]")
{
    AtaRig rig(ata::irq_mode_ops);
    Request write(dev::BlockOp::Write, 500, 8);
    write.fill(5);
    REQUIRE(!rig.run(write).is_error());
    REQUIRE(rig.disk_matches(500, write.buffer, 8));
    REQUIRE(rig.model.irq14.rising_edges() == 8);   // one after each block, the last says "done"
    REQUIRE(rig.violations() == "  (none)\n  (none)\n");
}

TEST_CASE("ata irq: queued requests for both drives complete in order, once each", "[ata][ata-irq]")
{
    AtaRig rig(ata::irq_mode_ops, two_disks);
    ata::Target hdb { &rig.channel().drives[1], 0, 8192 };
    Request a(dev::BlockOp::Read, 1, 4), b(dev::BlockOp::Write, 2, 3), c(dev::BlockOp::Read, 9, 2);
    b.fill(9);
    std::vector<int> order;
    a.request.on_complete = [&](dev::BlockRequest& r) { order.push_back(1), ++a.completions, a.status = r.core.status; };
    b.request.on_complete = [&](dev::BlockRequest& r) { order.push_back(2), ++b.completions, b.status = r.core.status; };
    c.request.on_complete = [&](dev::BlockRequest& r) { order.push_back(3), ++c.completions, c.status = r.core.status; };
    rig.submit(a);
    rig.submit(b, &hdb);
    rig.submit(c);
    REQUIRE(rig.wait(c));
    REQUIRE(order == std::vector<int> { 1, 2, 3 });
    REQUIRE(a.completions + b.completions + c.completions == 3);
    REQUIRE(rig.disk_matches(2, b.buffer, 3, 1));
    REQUIRE(rig.buffer_matches(c, 9));
}

TEST_CASE("ata irq: an error in the middle of a read; the queue goes on", "[ata][ata-irq]")
{
    AtaRig rig(ata::irq_mode_ops);
    rig.disk().read_faults[12] = models::SectorFault { models::ide_error::UNC };
    Request bad(dev::BlockOp::Read, 10, 4), good(dev::BlockOp::Read, 20, 4);
    rig.submit(bad);
    rig.submit(good);
    REQUIRE(rig.wait(good));
    REQUIRE(bad.status == EIO);
    REQUIRE(good.status == 0);
    REQUIRE(rig.buffer_matches(good, 20));
    REQUIRE(models::kernel_log().contains("hda: read error at sector 12"));
}

TEST_CASE("ata irq: a command that never finishes is given up by the error handler", "[ata][ata-irq]")
{
    AtaRig rig(ata::irq_mode_ops);
    rig.disk().hang_next_command = true;
    Request stuck(dev::BlockOp::Write, 70, 2), after(dev::BlockOp::Read, 80, 2);
    stuck.fill(2);
    rig.submit(stuck);
    rig.submit(after);
    REQUIRE(rig.wait(after));
    REQUIRE(stuck.status == ETIMEDOUT);
    REQUIRE(after.status == 0);
    REQUIRE(rig.buffer_matches(after, 80));
    REQUIRE(stuck.completions == 1);
    REQUIRE(models::kernel_log().contains("hda: write of 2 sector(s) at sector 70 timed out"));
    REQUIRE(rig.channel().stats.timeouts == 1);
}
