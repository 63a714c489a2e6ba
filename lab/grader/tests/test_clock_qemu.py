"""The load-independent progress clock, and the QEMU command line."""
import shlex
import tempfile
import unittest
from pathlib import Path

from support import one_case
from harness.clock import ProgressClock
from harness.qemu import RunOptions, build_command, check_paths, rerun_hint, write_cmd_file


class FakeTime:
    def __init__(self):
        self.now = 100.0
        self.delays = {"1": 0, "2": 0}

    def advance(self, seconds, starved=None):
        """Moves wall time on; `starved` maps thread -> seconds spent waiting for a CPU."""
        self.now += seconds
        for tid, wait in (starved or {}).items():
            self.delays[tid] = self.delays.get(tid, 0) + int(wait * 1e9)


class Clock(unittest.TestCase):
    def make(self):
        t = FakeTime()
        return t, ProgressClock(1234, now=lambda: t.now, delays=lambda pid: dict(t.delays))

    def test_idle_time_accumulates_and_resets_on_progress(self):
        t, clock = self.make()
        t.advance(2)
        clock.tick(False)
        t.advance(3)
        clock.tick(False)
        self.assertAlmostEqual(clock.idle, 5)
        t.advance(1)
        clock.tick(True)
        self.assertEqual(clock.idle, 0)
        self.assertAlmostEqual(clock.total, 6)

    def test_time_spent_waiting_for_a_cpu_does_not_count(self):
        t, clock = self.make()
        t.advance(10, starved={"1": 7, "2": 1})   # the vCPU thread got 3 s of the 10
        clock.tick(False)
        self.assertAlmostEqual(clock.idle, 3)
        self.assertAlmostEqual(clock.wall, 10)

    def test_threads_that_appear_or_vanish_are_ignored(self):
        t, clock = self.make()
        t.delays = {"1": 0, "3": int(50e9)}       # thread 2 ended, thread 3 is new
        t.advance(4)
        clock.tick(False)
        self.assertAlmostEqual(clock.idle, 4)

    def test_without_schedstat_it_is_the_wall_clock(self):
        t = FakeTime()
        clock = ProgressClock(1234, now=lambda: t.now, delays=lambda pid: {})
        t.advance(4)
        clock.tick(False)
        self.assertAlmostEqual(clock.idle, 4)

    def test_real_process_clock_runs(self):
        import os
        clock = ProgressClock(os.getpid())
        self.assertGreaterEqual(clock.tick(False), 0.0)


class Command(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        root = Path(self.tmp.name)
        self.options = RunOptions(root=root, iso=root / "build/conduit.iso", out=root / "out")
        self.case = one_case('args = ["-drive", "file=${testdir}/d.img"]\ncmdline = "x=a,b"',
                             name="mm_frames")

    def tearDown(self):
        self.tmp.cleanup()

    def test_base_arguments(self):
        argv = build_command(self.case, self.options, "n1", ["-smp", "2"])
        joined = " ".join(argv)
        testdir = self.options.out / "s" / "mm_frames"
        for expected in ("-accel tcg", "-machine q35", "-m 128M", "-boot d", "-no-reboot",
                         "-display none", "-nic none", "-monitor none", "-d cpu_reset",
                         "-device isa-debug-exit,iobase=0xf4,iosize=0x04",
                         f"-debugcon file:{testdir}/debugcon.log",
                         f"-serial file:{testdir}/serial.log", f"-D {testdir}/qemu.log"):
            self.assertIn(expected, joined)
        self.assertEqual(argv[0], "qemu-system-x86_64")
        # The whole kernel command line is one argv element; commas are doubled.
        self.assertIn("name=opt/conduit/cmdline,string=test=mm_frames nonce=n1 x=a,,b", argv)
        self.assertEqual(argv[-4:], ["-smp", "2", "-drive", f"file={testdir}/d.img"])

    def test_cmd_file_is_a_runnable_command(self):
        argv = build_command(self.case, self.options, "n1", [])
        path = Path(self.tmp.name) / "cmd.txt"
        write_cmd_file(path, self.case, argv, "n1", self.options.root)
        command = [line for line in path.read_text().splitlines() if not line.startswith("#")]
        self.assertEqual(shlex.split(command[0]), argv)

    def test_rerun_hint(self):
        root = self.options.root
        lab = root / "lab" / "01-pio" / "rubric.toml"
        from dataclasses import replace
        case = replace(self.case, suite=replace(self.case.suite, path=lab))
        self.assertEqual(rerun_hint(case, root), "make grade TEST=mm_frames")
        other = replace(self.case, suite=replace(self.case.suite, path=root / "lab/grader/selftest/rubric.toml"))
        self.assertEqual(rerun_hint(other, root),
                         "python3 lab/grader/grade.py --suite lab/grader/selftest/rubric.toml --test mm_frames")

    def test_commas_in_paths_are_refused(self):
        self.assertIsNone(check_paths(self.options))
        self.options.iso = Path("/tmp/a,b.iso")
        self.assertIn("contains ','", check_paths(self.options))


if __name__ == "__main__":
    unittest.main()


class Reproducible(unittest.TestCase):
    def test_sockets_and_fifos_of_the_run_do_not_reach_cmd_txt(self):
        from harness.qemu import reproducible
        t = Path("/tmp/cg-x")
        argv = ["qemu", "-debugcon", "file:/o/debugcon.log", "-chardev", f"socket,id=conduit_com1,path={t}/com1.sock",
                "-serial", "chardev:conduit_com1", "-chardev", f"socket,id=conduit_qmp,path={t}/qmp.sock",
                "-mon", "chardev=conduit_qmp,mode=control", "-chardev", f"socket,id=conduit_diag,path={t}/diag.sock",
                "-mon", "chardev=conduit_diag,mode=control", "-D", f"{t}/trace.fifo", "-trace", "enable=serial_read"]
        out, notes = reproducible(argv, t, Path("/o"))
        self.assertEqual(out, ["qemu", "-debugcon", "file:/o/debugcon.log", "-serial", "stdio",
                               "-D", "/o/qemu.log", "-trace", "enable=serial_read"])
        self.assertEqual(len(notes), 1)
        self.assertNotIn(str(t), " ".join(out))
