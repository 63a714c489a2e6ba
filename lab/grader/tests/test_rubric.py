"""Rubric loading: defaults, strict validation, variants, peers, the repository's own rubrics."""
import contextlib
import io
import tempfile
import unittest
from pathlib import Path

from support import ROOT, load_text, write_rubric
from harness import rubric
from harness.rubric import RubricError


class Defaults(unittest.TestCase):
    def test_minimal_test_gets_every_default(self):
        suite, cases = load_text("""
            [suite]
            name = "lab1"
            lab = 1
            title = "PIO"
            [[test]]
            name = "uart_putc"
            """)
        self.assertEqual((suite.name, suite.lab, suite.title), ("lab1", 1, "PIO"))
        (case,) = cases
        self.assertEqual(case.id, "uart_putc")
        self.assertEqual((case.machine, case.memory, case.timeout), ("q35", "128M", 15.0))
        self.assertEqual(case.max_time, 150.0)   # 10x the progress timeout
        self.assertEqual((case.points, case.args, case.cmdline), (1.0, (), ""))

    def test_qemu_table_sets_defaults_and_tests_override(self):
        _, cases = load_text("""
            [suite]
            name = "s"
            [qemu]
            machine = "pc"
            memory = 256
            timeout = 20
            args = ["-device", "piix3-ide"]
            cmdline = "irqchip=apic"
            [[test]]
            name = "a"
            timeout = 5
            max_time = 7
            args = ["-smp", "2"]
            cmdline = "uart.mode=irq"
            """)
        case = cases[0]
        self.assertEqual(case.machine, "pc")
        self.assertEqual(case.memory, "256M")          # a bare number means MiB
        self.assertEqual((case.timeout, case.max_time), (5.0, 7.0))
        self.assertEqual(case.args, ("-device", "piix3-ide", "-smp", "2"))
        self.assertEqual(case.cmdline, "irqchip=apic uart.mode=irq")


class Validation(unittest.TestCase):
    def assertRubricError(self, text, fragment):
        with self.assertRaises(RubricError) as ctx:
            load_text(text)
        self.assertIn(fragment, str(ctx.exception))

    def test_unknown_key_is_an_error_with_a_suggestion(self):
        self.assertRubricError("""
            [suite]
            name = "s"
            [[test]]
            name = "a"
            timout = 3
            """, "did you mean 'timeout'")

    def test_wrong_types(self):
        self.assertRubricError('[suite]\nname = "s"\n[[test]]\nname = "a"\ntimeout = "3"\n',
                               "'timeout' must be a number")
        self.assertRubricError('[suite]\nname = "s"\n[[test]]\nname = "a"\nargs = "-smp 2"\n',
                               "list of strings")
        self.assertRubricError('[suite]\nname = "s"\n[[test]]\nname = "a"\npoints = true\n',
                               "'points' must be a number")

    def test_values(self):
        base = '[suite]\nname = "s"\n[[test]]\nname = "a"\n'
        self.assertRubricError(base + "timeout = 0\n", "must be positive")
        self.assertRubricError(base + "points = -1\n", "must not be negative")
        self.assertRubricError(base + 'cmdline = "test=other"\n', "supplies test= and nonce=")
        self.assertRubricError(base + 'expect = ["("]\n', "bad regex")
        self.assertRubricError(base + 'expect_outcome = "crash"\n', "expect_outcome must be one of")

    def test_structure(self):
        self.assertRubricError('[[test]]\nname = "a"\n', "[suite]")
        self.assertRubricError('[suite]\nname = "bad name"\n', "[suite] 'name'")
        self.assertRubricError('[suite]\nname = "s"\n[[test]]\npoints = 1\n', "'name' is required")
        self.assertRubricError('[suite]\nname = "s"\n[[test]]\nname = "a"\n[[test]]\nname = "a"\n',
                               "listed twice")
        self.assertRubricError('[suite]\nname = "s"\n[extra]\n', "unknown key 'extra'")
        self.assertRubricError('[suite\n', "not valid TOML")

    def test_missing_file(self):
        with self.assertRaises(RubricError):
            rubric.load(Path("/nonexistent/rubric.toml"))


class Variants(unittest.TestCase):
    def test_each_variant_is_one_more_run(self):
        _, cases = load_text("""
            [suite]
            name = "s"
            [[test]]
            name = "uart_irq"
            points = 2
            cmdline = "uart.mode=irq"
            expect = ["ready"]
            [[test.variant]]
            name = "apic"
            machine = "pc"
            cmdline = "irqchip=apic"
            expect = ["apic"]
            description = "IOAPIC routing"
            """)
        self.assertEqual([c.id for c in cases], ["uart_irq", "uart_irq@apic"])
        self.assertEqual({c.name for c in cases}, {"uart_irq"})   # same kernel test
        self.assertEqual([c.points for c in cases], [2.0, 2.0])    # each run is worth points
        base, apic = cases
        self.assertEqual((base.machine, apic.machine), ("q35", "pc"))
        self.assertEqual(apic.cmdline, "uart.mode=irq irqchip=apic")
        self.assertEqual(apic.expect, ("ready", "apic"))
        self.assertEqual(apic.description, "IOAPIC routing")

    def test_variant_points_and_names(self):
        _, cases = load_text("""
            [suite]
            name = "s"
            [[test]]
            name = "a"
            points = 3
            [[test.variant]]
            name = "one"
            points = 1
            [[test.variant]]
            name = "two"
            """)
        self.assertEqual([(c.id, c.points) for c in cases], [("a", 3.0), ("a@one", 1.0), ("a@two", 3.0)])
        with self.assertRaises(RubricError):
            load_text('[suite]\nname = "s"\n[[test]]\nname = "a"\n[[test.variant]]\nmachine = "pc"\n')
        with self.assertRaises(RubricError):
            load_text('[suite]\nname = "s"\n[[test]]\nname = "a"\n[[test.variant]]\n'
                      'name = "v"\nexpect_outcome = "pass"\n')


class Peers(unittest.TestCase):
    def test_disk_peer_is_accepted(self):
        _, cases = load_text("""
            [suite]
            name = "s"
            [[test]]
            name = "ata"
            [[test.peer]]
            kind = "disk"
            size = 1048576
            """)
        self.assertEqual(cases[0].peers, ({"kind": "disk", "size": 1048576},))

    def test_bad_peers(self):
        base = '[suite]\nname = "s"\n[[test]]\nname = "a"\n[[test.peer]]\n'
        for body, fragment in (('kind = "telepathy"\n', "unknown peer kind"),
                               ('kind = "disk"\ncolour = "red"\n', "no option 'colour'"),
                               ('kind = "disk"\nsize = "big"\n', "must be int")):
            with self.subTest(body=body), self.assertRaises(RubricError) as ctx:
                load_text(base + body)
            self.assertIn(fragment, str(ctx.exception))


class RepositoryRubrics(unittest.TestCase):
    """Every manifest in the tree must load: a broken rubric should fail here, not in class."""

    def test_all_manifests_in_the_tree_load(self):
        paths = rubric.lab_manifests(ROOT) + [rubric.selftest_manifest(ROOT)]
        kernel = rubric.kernel_manifest(ROOT)
        if kernel.is_file():
            paths.append(kernel)
        for path in paths:
            with self.subTest(path=str(path)):
                suite, cases = rubric.load(path)
                self.assertTrue(cases, f"{path} has no tests")

    def test_selftest_suite_declares_every_outcome(self):
        suite, cases = rubric.load(rubric.selftest_manifest(ROOT))
        self.assertEqual(suite.name, "selftest")
        self.assertIsNone(suite.lab)
        outcomes = {c.name: c.expect_outcome for c in cases}
        self.assertEqual(outcomes, {
            "selftest_pass": "pass", "selftest_fail": "fail", "selftest_panic": "panic",
            "selftest_triple_fault": "triple-fault", "selftest_hang": "hang",
            "selftest_forged": "forged", "selftest_nonce_echo": "pass"})

    def test_lab_glob_never_picks_up_the_selftest_suite(self):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "lab" / "01-pio").mkdir(parents=True)
            (root / "lab" / "grader" / "selftest").mkdir(parents=True)
            write_rubric(root / "lab" / "01-pio", '[suite]\nname = "lab1"\n')
            write_rubric(root / "lab" / "grader" / "selftest", '[suite]\nname = "selftest"\n')
            self.assertEqual(rubric.lab_manifests(root), [root / "lab" / "01-pio" / "rubric.toml"])


class Hidden(unittest.TestCase):
    RUBRIC = """
        [suite]
        name = "lab9"
        lab = 9
        [[test]]
        name = "a"
        [[test.variant]]
        name = "seed2"
        hidden = true
        cmdline = "seed=2"
        [[test]]
        name = "b"
        hidden = true
        [[test.variant]]
        name = "pc"
        machine = "pc"
        """

    def test_hidden_runs_are_marked_and_a_hidden_test_hides_its_variants(self):
        _, cases = load_text(self.RUBRIC)
        self.assertEqual({c.id: c.hidden for c in cases},
                         {"a": False, "a@seed2": True, "b": True, "b@pc": True})

    def test_a_variant_cannot_unhide_itself(self):
        with self.assertRaisesRegex(RubricError, "variant 'pc' says hidden = false"):
            load_text(self.RUBRIC.replace('machine = "pc"', 'machine = "pc"\n        hidden = false'))

    def test_hidden_must_be_a_boolean(self):
        with self.assertRaisesRegex(RubricError, "'hidden' must be true or false"):
            load_text(self.RUBRIC.replace("hidden = true", "hidden = 1", 1))

    def test_selection_runs_them_in_the_instructor_tree_only(self):
        from harness import cli
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp)
            (root / "lab" / "09-x").mkdir(parents=True)
            write_rubric(root / "lab" / "09-x", self.RUBRIC)
            ids = lambda *argv: [c.id for c in cli.select_tests(cli.parse_args(list(argv)), root)]
            self.assertEqual(ids(), ["a", "a@seed2", "b", "b@pc"])
            self.assertEqual(ids("--no-hidden"), ["a"])
            (root / cli.HANDOUT_STAMP).write_text("{}")
            self.assertEqual(ids(), ["a"], "a handout never runs hidden variants")
            self.assertEqual(ids("--hidden"), ["a", "a@seed2", "b", "b@pc"])

class BrokenRubrics(unittest.TestCase):
    """Every broken rubric is an error with the file and the line, never a traceback."""

    def load_bytes(self, data: bytes, folder: str = "x"):
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / folder / "rubric.toml"
            path.parent.mkdir(parents=True)
            path.write_bytes(data)
            try:
                rubric.load(path)
            except RubricError as err:
                return str(err).replace(str(path), "rubric.toml")
        self.fail("the rubric loaded")

    def test_not_utf8(self):
        self.assertEqual(self.load_bytes(b'[suite]\nname = "s"\ntitle = "caf\xe9"\n'),
                         "rubric.toml:3: not UTF-8 (byte 0xe9); a rubric must be UTF-8 text")

    def test_not_toml(self):
        self.assertRegex(self.load_bytes(b'[suite]\nname = "s"\n[[test]]\nname = \n'),
                         r"^rubric.toml:4:\d+: not valid TOML: ")

    def test_non_finite_and_negative_points(self):
        base = b'[suite]\nname = "s"\n[[test]]\nname = "a"\n[[test]]\nname = "b"\n'
        self.assertEqual(self.load_bytes(base + b"points = nan\n"),
                         "rubric.toml:7: [[test]] #2: 'points' must be a finite number, got nan")
        self.assertEqual(self.load_bytes(base + b"points = -inf\n"),
                         "rubric.toml:7: [[test]] #2: 'points' must be a finite number, got -inf")
        self.assertEqual(self.load_bytes(base + b'[[test.variant]]\nname = "v"\npoints = -2\n'),
                         "rubric.toml:9: test 'b' variant: 'points' must not be negative, got -2")
        self.assertEqual(self.load_bytes(b'[suite]\nname = "s"\n[qemu]\ntimeout = inf\n'),
                         "rubric.toml:4: [qemu]: 'timeout' must be a finite number, got inf")

    def test_a_lab_folder_fixes_the_lab_number(self):
        self.assertEqual(self.load_bytes(b'[suite]\nname = "s"\nlab = 3\n', "lab/02-irq").replace("lab/02-irq/", ""),
                         "rubric.toml:3: [suite]: a rubric in 02-irq/ must say lab = 2, not 3")

    def test_student_table(self):
        ok = b'[suite]\nname = "s"\n[student]\nfiles = ["drivers/a/*.cpp"]\nallow_symbols = ["^io::"]\n'
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "rubric.toml"
            path.write_bytes(ok)
            rules = rubric.load(path)[0].student
        self.assertTrue(rules.owns("drivers/a/pio.cpp"))
        self.assertFalse(rules.owns("drivers/a/sub/pio.cpp"))
        self.assertFalse(rules.owns("Makefile"))
        self.assertTrue(rules.symbol_allowed("io::PortWindow::read8(unsigned short) const"))
        self.assertFalse(rules.asm_allowed("drivers/a/pio.cpp"))
        self.assertEqual(self.load_bytes(b'[suite]\nname = "s"\n\n[student]\nfiles = ["/etc/x"]\n'),
                         "rubric.toml:4: [student]: 'files': '/etc/x' must be a path inside the tree, "
                         "written relative to its top directory with '/'")
        self.assertIn("bad regex in 'allow_symbols'",
                      self.load_bytes(b'[suite]\nname = "s"\n[student]\nfiles = ["a"]\nallow_symbols = ["("]\n'))


class Selection(unittest.TestCase):
    def tree(self, tmp, rubrics):
        root = Path(tmp)
        for folder, text in rubrics.items():
            (root / "lab" / folder).mkdir(parents=True)
            (root / "lab" / folder / "rubric.toml").write_text(text)
        return root

    def test_one_broken_lab_does_not_block_another(self):
        from harness import cli
        with tempfile.TemporaryDirectory() as tmp:
            root = self.tree(tmp, {"02-a": '[suite]\nname = "lab2"\nlab = 2\n[[test]]\nname = "t"\n',
                                   "03-b": '[suite]\nname = "lab3"\nlab = 3\npoints = \n'})
            args = cli.parse_args(["--lab", "2"])
            warning = io.StringIO()
            with contextlib.redirect_stderr(warning):
                self.assertEqual([c.id for c in cli.select_tests(args, root)], ["t"])
            self.assertIn("lab 3 is not graded now, but its rubric is broken", warning.getvalue())
            args = cli.parse_args([])
            self.assertEqual([c.id for c in cli.select_tests(args, root)], ["t"])
            self.assertEqual(len(args.rubric_errors), 1)
            self.assertIn("03-b/rubric.toml:4:10: not valid TOML", args.rubric_errors[0])
            with self.assertRaises(RubricError):
                cli.select_tests(cli.parse_args(["--lab", "3"]), root)

    def test_duplicate_suite_names_are_refused(self):
        from harness import cli
        with tempfile.TemporaryDirectory() as tmp:
            root = self.tree(tmp, {"02-a": '[suite]\nname = "lab2"\nlab = 2\n',
                                   "03-b": '[suite]\nname = "lab2"\nlab = 3\n'})
            with self.assertRaisesRegex(RubricError, "suite name 'lab2' is used by"):
                cli.select_tests(cli.parse_args([]), root)

if __name__ == "__main__":
    unittest.main()
