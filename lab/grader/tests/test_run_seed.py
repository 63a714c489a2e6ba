"""Payload seeds the grader picks per run (`generate = { seed = "run" }`, `${seed}` in a test's
cmdline): validation, substitution, the record of the seed, and two runs with the fake QEMU."""
import json
import shlex
import shutil
import tempfile
import unittest
from dataclasses import replace
from pathlib import Path

from support import one_case, run_grader, write_rubric
from harness import payload
from harness.qemu import RunOptions, build_command, kernel_cmdline, rerun_hint, write_cmd_file
from test_peer_schema import error_of

SEEDED = """
cmdline = "uart.mode=poll ktest.seed=${seed}"
[[test.peer]]
kind = "serial"
send = [{ after = 'READY', generate = { bytes = 16, seed = "run" } }]
"""


class Validation(unittest.TestCase):
    def test_run_seed_loads(self):
        case = one_case(SEEDED)
        self.assertTrue(case.uses_run_seed)
        self.assertFalse(one_case('cmdline = "a=1"').uses_run_seed)
        # A run seed the guest is not told about is allowed (the guest may only count bytes).
        self.assertTrue(one_case('[[test.peer]]\nkind = "serial"\n'
                                 'expect_bytes = { length = 8, generate = { bytes = 8, seed = "run" } }')
                        .uses_run_seed)

    def test_bad_seeds_are_refused(self):
        peer = '[[test.peer]]\nkind = "serial"\nsend = [{{ generate = {{ bytes = 4, seed = {} }} }}]'
        for bad in ('"Run"', '"random"', "-1", "4294967296", "1.5", "true", '""'):
            with self.subTest(seed=bad):
                message = error_of(peer.format(bad))
                self.assertIn("generate.seed must be an integer from 0 to 4294967295, or \"run\"", message)
        for good in ("0", "4294967295", '"run"'):
            one_case(peer.format(good))

    def test_cmdline_substitutions(self):
        self.assertIn("unknown substitution '${nonce}'", error_of('cmdline = "x=${nonce}"'))
        self.assertIn("unknown substitution '${SEED}'", error_of('cmdline = "x=${SEED}"'))
        self.assertIn("no payload of the test says", error_of('cmdline = "ktest.seed=${seed}"'))
        # A variant inherits the test's cmdline and peers; a variant adding ${seed} to a test
        # without a run-seed payload is refused with the variant's name.
        message = error_of('[[test.variant]]\nname = "v"\ncmdline = "ktest.seed=${seed}"')
        self.assertIn("variant 'v'", message)

    def test_resolve(self):
        table = {"generate": {"bytes": 32, "seed": "run"}}
        self.assertEqual(payload.resolve(table, Path("."), 77), payload.generate(32, 77))
        with self.assertRaises(ValueError):
            payload.resolve(table, Path("."))
        self.assertTrue(payload.peer_uses_run_seed({"kind": "serial", "expect_bytes": table}))
        self.assertFalse(payload.peer_uses_run_seed({"kind": "serial", "send": [{"data": "a"}]}))

    def test_fresh_seeds(self):
        seeds = {payload.new_run_seed() for _ in range(64)}
        self.assertGreater(len(seeds), 60)
        self.assertTrue(all(1 <= s <= payload.MAX_SEED for s in seeds))


class Substitution(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.options = RunOptions(root=root, iso=root / "c.iso", out=root / "out")
        self.case = one_case(SEEDED, name="uart_tx")

    def tearDown(self):
        self.tmp.cleanup()

    def test_seed_reaches_the_kernel_command_line(self):
        self.assertEqual(kernel_cmdline(self.case, "n1", 4242),
                         "test=uart_tx nonce=n1 uart.mode=poll ktest.seed=4242")
        argv = build_command(self.case, self.options, "n1", [], 4242)
        self.assertIn("name=opt/conduit/cmdline,string=test=uart_tx nonce=n1 uart.mode=poll ktest.seed=4242",
                      argv)

    def test_cmd_txt_says_the_seed_and_replays_it(self):
        argv = build_command(self.case, self.options, "n1", [], 4242)
        path = Path(self.tmp.name) / "cmd.txt"
        write_cmd_file(path, self.case, argv, "n1", self.options.root, seed=4242)
        text = path.read_text()
        self.assertIn("(nonce n1, seed 4242)", text)
        self.assertIn("--seed 4242", text)
        self.assertIn("payloads from seed 4242", text)
        command = [line for line in text.splitlines() if not line.startswith("#")]
        self.assertEqual(shlex.split(command[0]), argv)

    def test_rerun_hint_with_seed(self):
        lab = self.options.root / "lab" / "01-pio" / "rubric.toml"
        case = replace(self.case, suite=replace(self.case.suite, path=lab))
        self.assertEqual(rerun_hint(case, self.options.root, 9), "make grade TEST=uart_tx SEED=9")
        self.assertEqual(rerun_hint(case, self.options.root), "make grade TEST=uart_tx")


SEEDED_TEST = """
[[test]]
name = "{name}"
cmdline = "ktest.seed=${{seed}}"
[[test.peer]]
kind = "serial"
expect_bytes = {{ after = 'BEGIN\\n', length = 4096, generate = {{ bytes = 4096, seed = "run" }} }}
"""
RUBRIC = ("""
[suite]
name = "seeds"
lab = 7
[qemu]
timeout = 5
""" + SEEDED_TEST.format(name="fake_seeded_tx") + SEEDED_TEST.format(name="fake_fixed_seed_tx")
          + '[[test]]\nname = "fake_serial_only"\n')


class TwoRuns(unittest.TestCase):
    """Through grade.py and the fake QEMU: a guest that reads the seed passes every run; one
    that sends the bytes of a seed it knew beforehand fails, unless the run happens to use it."""

    @classmethod
    def setUpClass(cls):
        cls.tmp = Path(tempfile.mkdtemp(prefix="grader-seed-"))
        cls.iso = cls.tmp / "fake.iso"
        cls.iso.write_bytes(b"not really an ISO")
        cls.rubric = write_rubric(cls.tmp, RUBRIC)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp, ignore_errors=True)

    def grade(self, out: str, *args: str) -> dict:
        proc = run_grader("--iso", str(self.iso), "--out", str(self.tmp / out), "--suite",
                          str(self.rubric), "-j", "3", *args)
        self.assertIn(proc.returncode, (0, 1), proc.stdout + proc.stderr)
        self.stdout = proc.stdout
        doc = json.loads((self.tmp / out / "results.json").read_text())
        return {t["id"]: t for t in doc["tests"]}

    def test_each_run_gets_its_own_seed(self):
        first, second = self.grade("one"), self.grade("two")
        seeds = [first["fake_seeded_tx"]["seed"], second["fake_seeded_tx"]["seed"]]
        self.assertTrue(all(isinstance(s, int) and s > 0 for s in seeds), seeds)
        self.assertNotEqual(seeds[0], seeds[1])
        self.assertNotEqual(first["fake_seeded_tx"]["seed"], first["fake_fixed_seed_tx"]["seed"])
        self.assertIsNone(first["fake_serial_only"]["seed"])
        for run in (first, second):
            self.assertEqual(run["fake_seeded_tx"]["verdict"], "pass", run["fake_seeded_tx"]["reason"])
            self.assertEqual(run["fake_fixed_seed_tx"]["verdict"], "fail")
            self.assertIn("COM1 output after /BEGIN\\n/: byte 0 is", run["fake_fixed_seed_tx"]["reason"])
        cmd = (self.tmp / "one" / "seeds" / "fake_seeded_tx" / "cmd.txt").read_text()
        self.assertIn(f"ktest.seed={seeds[0]}", cmd)
        self.assertIn(f"--seed {seeds[0]}", cmd)

    def test_failure_report_names_the_seed_and_replay_uses_it(self):
        run = self.grade("replay", "--seed", "1234")
        self.assertEqual(run["fake_seeded_tx"]["seed"], 1234)
        # With the seed the precomputing guest guessed, it passes: the seed is all it lacked.
        self.assertEqual(run["fake_fixed_seed_tx"]["verdict"], "pass")
        run = self.grade("report")
        self.assertIn(f"    seed:    {run['fake_fixed_seed_tx']['seed']} (this run's payload seed",
                      self.stdout)


if __name__ == "__main__":
    unittest.main()
