// Grader self-tests for lab 9 (instructor-only: this file never reaches a handout). Each runs a
// lab 9 test body against one purpose-made wrong driver; tests/kernel/rubric.toml expects each to
// fail with the message that names its mistake.
//   selftest_lab9_no_unmask       uartd never unmasks its line (user/drivers/uartd_no_unmask.instructor)
//   selftest_lab9_no_timeout      uartd ignores IIR 0x0C, character timeout (uartd_no_timeout)
//   selftest_lab9_no_ier          uartd never enables the receive interrupt (uartd_no_ier)
//   selftest_lab9_polls           uartd spins on LSR (uartd_polls): only the mechanism check sees it
//   selftest_lab9_ioperm*         lab9_ports against a wrong ioperm, chosen with selftest.wrong=
//                                 (kernel/proc/io_permissions_wrong.instructor.cpp)
#include "../../lab/09-user-drivers/tests/lab9_checks.h"
#include <kernel/test.h>
#include <kstd/enforce.h>

KTEST(selftest_lab9_no_unmask, SELFTEST_SUITE) { return lab9::check_echo_driver("uartd_no_unmask"); }
KTEST(selftest_lab9_no_timeout, SELFTEST_SUITE) { return lab9::check_echo_driver("uartd_no_timeout"); }
KTEST(selftest_lab9_no_ier, SELFTEST_SUITE) { return lab9::check_echo_driver("uartd_no_ier"); }
KTEST(selftest_lab9_polls, SELFTEST_SUITE) { return lab9::check_echo_driver("uartd_polls"); }
KTEST(selftest_lab9_ioperm, SELFTEST_SUITE) { return lab9::check_ports_program(); }
KTEST(selftest_lab9_ioperm_off_by_one, SELFTEST_SUITE) { return lab9::check_ports_program(); }
KTEST(selftest_lab9_ioperm_no_reservation, SELFTEST_SUITE) { return lab9::check_ports_program(); }
