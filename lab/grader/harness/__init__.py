"""The Conduit grading harness (see lab/grader/README.md).

Modules, in the order a test flows through them:
  rubric    rubric.toml -> TestCase (one QEMU boot each)
  qemu      TestCase -> QEMU argv, cmd.txt
  peers     per-test host helpers: disk copies, serial (serial_peer), keys and VGA
            (qmp_peer), trace events and mechanism checks (trace_peer, mechanism)
  runner    boots QEMU, watches its output with the load-independent clock (clock.py)
  protocol  the @@CONDUIT line protocol and nonces
  verdict   RunRecord -> Verdict (kind + one-line reason)
  results   Verdict + points -> Result; per-suite totals
  report    terminal output;  writers: results.json, JUnit, Gradescope
  cli       argument parsing and the thread pool
"""
