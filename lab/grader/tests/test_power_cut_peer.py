"""The power_cut peer (harness/power_cut_peer.py) without QEMU: its schema, the plan it hands the
guest, and the image checks after a cut, on images built here: a correct cut, a synced block
that is old or garbage, an unsynced block torn into garbage, a byte changed elsewhere."""
import tempfile
import unittest
from pathlib import Path

import support  # noqa: F401  (puts the harness on the path)
from support import one_case
from harness.peers import PeerContext
from harness.power_cut_peer import BLOCK, SECTOR, PowerCutPeer, block_bytes
from harness.rubric import RubricError


def make_peer(testdir: Path, **spec) -> PowerCutPeer:
    ctx = PeerContext(root=testdir, testdir=testdir, nonce="1234", test_id="t")
    peer = PowerCutPeer({"kind": "power_cut", "size": "2M", "synced": 4, "unsynced": 4, "seed": 99, **spec}, ctx)
    peer.prepare()
    peer.close()
    ctx.cleanup()
    return peer


class Schema(unittest.TestCase):
    def test_valid_and_invalid_specs(self):
        one_case('[[test.peer]]\nkind = "power_cut"\nsize = "16M"\nsynced = 8\nunsynced = 8\n')
        for bad, words in (('size = "15000"', "multiple of 4 KiB"), ('synced = 200\nsize = "2M"', "room"),
                           ("after = '('", "bad regex"), ('colour = "red"', "no option")):
            with self.assertRaises(RubricError) as ctx:
                one_case(f'[[test.peer]]\nkind = "power_cut"\n{bad}\n')
            self.assertIn(words, str(ctx.exception))


class Checks(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.testdir = Path(self.dir.name)
        self.peer = make_peer(self.testdir)
        self.original = bytearray(self.peer.original.read_bytes())

    def tearDown(self):
        self.dir.cleanup()

    def cut(self, image: bytes) -> list[str]:
        self.peer.cut_image.write_bytes(image)
        return self.peer._check()

    def written(self, synced=True, unsynced="new") -> bytearray:
        image = bytearray(self.original)
        for number in self.peer.synced if synced else []:
            image[number * BLOCK:(number + 1) * BLOCK] = block_bytes(self.peer.seed, number)
        for number in self.peer.unsynced:
            if unsynced == "new":
                image[number * BLOCK:(number + 1) * BLOCK] = block_bytes(self.peer.seed, number)
        return image

    def test_plan_names_the_blocks_and_seed(self):
        plan = (self.testdir / "plan.txt").read_text()
        self.assertIn("seed 99", plan)
        self.assertIn("synced " + " ".join(map(str, self.peer.synced)), plan)
        self.assertTrue(all(n * BLOCK >= 1 << 20 for n in self.peer.synced + self.peer.unsynced))
        self.assertEqual(len(set(self.peer.synced + self.peer.unsynced)), 8)
        self.assertEqual(bytes(self.original[:1 << 20]), bytes(1 << 20))   # no table by chance

    def test_a_correct_cut_passes_with_unsynced_old_or_new(self):
        self.assertEqual(self.cut(bytes(self.written(unsynced="new"))), [])
        self.assertEqual(self.cut(bytes(self.written(unsynced="old"))), [])
        mixed = self.written(unsynced="old")
        number = self.peer.unsynced[0]
        mixed[number * BLOCK:number * BLOCK + SECTOR] = block_bytes(self.peer.seed, number)[:SECTOR]
        self.assertEqual(self.cut(bytes(mixed)), [])   # a torn block: sector by sector old or new

    def test_a_synced_block_that_is_old_or_garbage_is_named(self):
        problems = self.cut(bytes(self.written(synced=False)))
        self.assertTrue(problems)
        self.assertRegex(problems[0], r"^block \d+ \(sector \d+\) was reported synced, but after the power cut "
                                      r"its byte 0 is the old content")
        image = self.written()
        image[self.peer.synced[1] * BLOCK + 100] ^= 0xFF
        self.assertRegex(self.cut(bytes(image))[0], r"its byte 100 is garbage")

    def test_garbage_in_an_unsynced_block_and_changes_elsewhere_are_named(self):
        image = self.written()
        image[self.peer.unsynced[2] * BLOCK + 700] ^= 0x55
        self.assertRegex(self.cut(bytes(image))[0], r"written but never synced, holds neither its old nor its new")
        image = self.written()
        image[(1 << 20) - 1] = 7
        self.assertEqual(self.cut(bytes(image)), [f"sector {((1 << 20) - 1) // SECTOR} changed although the guest "
                                                   "never wrote it"])


if __name__ == "__main__":
    unittest.main()
