"""The disk_plan peer without QEMU: plans, images, and the checks after a run (what a guest that
wrote the wrong bytes, wrote too much, read wrong data, or hid a failed sector gets told)."""
from __future__ import annotations

import random
import tempfile
import unittest
import zlib
from pathlib import Path

import peer_support
from harness import disk_check, disk_plan
from harness.disk_plan import SECTOR, Plan, Step


def guest_does(peer, *, corrupt_write_at=None, stray_write_at=None, bad_crc=False, hide_fault=False,
               fault_log=True) -> str:
    """Plays the guest: applies the plan to the image and returns the debug console it printed."""
    lines = []
    nonce = peer.ctx.nonce
    with open(peer.image, "r+b") as img:
        for step in peer.plan.steps:
            if step.fault is not None and not hide_fault:
                if fault_log:
                    lines.append(f"[error] hda: {step.kind} error at sector {step.fault}: UNC")
                lines.append(f"@@CONDUIT disk-error op={step.kind} lba={step.lba} sectors={step.sectors} errno=EIO "
                             f"nonce={nonce}")
                continue
            if step.kind == "write":
                data = bytearray(step.data())
                if corrupt_write_at is not None:
                    data[corrupt_write_at] ^= 0xFF
                img.seek(step.lba * SECTOR)
                img.write(data)
                lines.append(f"@@CONDUIT disk-write lba={step.lba} sectors={step.sectors} nonce={nonce}")
            else:
                img.seek(step.lba * SECTOR)
                crc = zlib.crc32(img.read(step.sectors * SECTOR)) ^ (1 if bad_crc else 0)
                lines.append(f"@@CONDUIT disk-read lba={step.lba} sectors={step.sectors} crc32={crc:#010x} nonce={nonce}")
        if stray_write_at is not None:
            img.seek(stray_write_at)
            img.write(b"\x42")
    return "\n".join(lines) + "\n"


class DiskPlanPeer(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.ctx = peer_support.make_ctx(Path(self.tmp.name))

    def tearDown(self):
        self.tmp.cleanup()

    def peer(self, **spec):
        spec = {"kind": "disk_plan", "size": "4M", "seed": 7, **spec}
        peer = peer_support.make_peer(spec, self.ctx)
        self.args = peer.prepare()
        return peer

    def finish(self, peer, console: str) -> list[str]:
        (self.ctx.testdir / "debugcon.log").write_text(console)
        return peer.finish()

    def test_plan_regions_do_not_overlap_and_faults_fall_inside(self):
        peer = self.peer(writes={"count": 6, "sectors": 64}, reads={"count": 6, "sectors": 64}, read_faults=2,
                         write_faults=1)
        spans = sorted((s.lba, s.end) for s in peer.plan.steps)
        for (_, end), (start, _) in zip(spans, spans[1:]):
            self.assertLessEqual(end, start)
        faults = [s for s in peer.plan.steps if s.fault is not None]
        self.assertEqual(len(faults), 3)
        for step in faults:
            self.assertTrue(step.lba <= step.fault < step.end)
        self.assertIn("blkdebug:", " ".join(self.args))
        self.assertIn("name=opt/conduit/disk-plan,file=", " ".join(self.args))
        self.assertIn("capacity 8192", (self.ctx.testdir / "plan.txt").read_text())

    def test_an_honest_guest_passes(self):
        peer = self.peer(writes={"count": 3, "sectors": 16}, reads={"count": 3, "sectors": 16}, read_back=True,
                         read_faults=1)
        self.assertEqual(self.finish(peer, guest_does(peer)), [])

    def test_a_wrong_byte_in_a_write_is_named(self):
        peer = self.peer(writes={"count": 1, "sectors": 16})
        problems = self.finish(peer, guest_does(peer, corrupt_write_at=700))
        self.assertEqual(len(problems), 1)
        lba = peer.plan.steps[0].lba
        self.assertIn(f"sector {lba + 1} of the image differs from what the guest wrote there: byte 188", problems[0])

    def test_a_write_outside_the_plan_is_named(self):
        peer = self.peer(writes={"count": 1, "sectors": 16})
        problems = self.finish(peer, guest_does(peer, stray_write_at=3 * SECTOR + 5))
        self.assertIn("sector 3 of the image changed although the plan wrote nothing there", problems[0])

    def test_a_wrong_read_is_named(self):
        peer = self.peer(reads={"count": 1, "sectors": 8})
        problems = self.finish(peer, guest_does(peer, bad_crc=True))
        self.assertIn("the bytes read are not the disk's", problems[0])

    def test_a_hidden_fault_and_a_missing_log_line_are_named(self):
        peer = self.peer(reads={"count": 2, "sectors": 8}, read_faults=1)
        problems = self.finish(peer, guest_does(peer, hide_fault=True))
        self.assertTrue(any("but the guest reported success" in p for p in problems), problems)
        peer = self.peer(reads={"count": 2, "sectors": 8}, read_faults=1)
        problems = self.finish(peer, guest_does(peer, fault_log=False))
        self.assertTrue(any("no log line names the failing sector" in p for p in problems), problems)

    def test_steps_never_reported_are_named(self):
        peer = self.peer(reads={"count": 1, "sectors": 8})
        problems = self.finish(peer, "")
        self.assertIn("the guest never reported the read", problems[0])

    def test_a_sparse_disk_of_any_size(self):
        peer = self.peer(size="130G", fill="zero", writes={"count": 1, "sectors": 8}, min_lba=1 << 28)
        self.assertGreaterEqual(peer.plan.steps[0].lba, 1 << 28)
        self.assertLess(peer.image.stat().st_blocks * 512, 1 << 20)
        self.assertEqual(self.finish(peer, guest_does(peer)), [])

    def test_partition_tables(self):
        for table, signature in (("mbr", b"\x55\xaa"), ("gpt", b"EFI PART")):
            peer = self.peer(table=table)
            data = peer.image.read_bytes()
            self.assertEqual(data[510:512], b"\x55\xaa")
            if table == "gpt":
                self.assertEqual(data[512:520], signature)

    def test_bad_options_are_refused_at_load_time(self):
        for spec in ({"fill": "ones"}, {"table": "bsd"}, {"writes": {"count": -1}}, {"size": "lots"},
                     {"size": "2G", "fill": "random"}, {"controller": "ahci"}):
            with self.assertRaises(ValueError):
                disk_plan_peer_check(spec)


def disk_plan_peer_check(spec: dict) -> None:
    from harness.disk_plan_peer import DiskPlanPeer as Peer
    Peer.check({"kind": "disk_plan", **spec})


class Generator(unittest.TestCase):
    def test_written_data_is_pythons_random(self):
        step = Step("write", 0, 2, seed=12345)
        self.assertEqual(step.data()[:16].hex(), "8799a76a3a4391bb45729a026cf8f6d1")
        self.assertEqual(len(step.data()), 2 * SECTOR)

    def test_sizes(self):
        self.assertEqual(disk_plan.parse_size("64M"), 64 << 20)
        self.assertEqual(disk_plan.parse_size(4096), 4096)
        self.assertEqual(Plan("hda", 8, 100, [Step("read", 2048, 8)]).text().splitlines()[-1], "read 2048 8")


if __name__ == "__main__":
    unittest.main()
