// Self-tests of lab 7's QEMU checks (tests/kernel/rubric.toml, INSTRUCTOR block): each boots a
// purpose-made wrong e1000 driver (`selftest.wrong=NAME`, drivers/net/e1000/
// wrong_drivers.instructor.cpp) and runs lab 7's own scenario under its own name, so that the
// rubric entry can repeat the lab test's host-side checks and expect them to name the bug.
// The bugs QEMU cannot show (a buffer freed or reused while the NIC owns it: QEMU reads TX
// buffers inside the tail write) are the host model's (tests/unit/models/e1000_wrong_test.*).
#include "../../lab/07-e1000/tests/lab7_scenarios.h"
#include <kernel/test.h>

KTEST(selftest_e1000_tail_first, SELFTEST_SUITE) { return lab7::send_nonce_datagrams("selftest_e1000_tail_first"); }
KTEST(selftest_e1000_rx_no_dd, SELFTEST_SUITE) { return lab7::echo_then_idle("selftest_e1000_rx_no_dd"); }
KTEST(selftest_e1000_icr_not_read, SELFTEST_SUITE) { return lab7::echo_then_idle("selftest_e1000_icr_not_read"); }
KTEST(selftest_e1000_rdh_busy_poll, SELFTEST_SUITE) { return lab7::echo_then_idle("selftest_e1000_rdh_busy_poll"); }
KTEST(selftest_e1000_budget_ignored, SELFTEST_SUITE) { return lab7::receive_burst("selftest_e1000_budget_ignored"); }
