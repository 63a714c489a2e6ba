// Self-tests of the labs' mechanism checks in QEMU (instructor-only: never in a handout).
// `selftest__LABTEST__WORD` runs the lab's own kernel test LABTEST, unchanged, in a kernel
// booted with `selftest.wrong=WORD` (drivers/char/uart16550/selftest.instructor.cpp,
// kernel/tty/selftest.instructor.cpp), so
// every check inside the guest is the lab's. Its entry in tests/kernel/rubric.toml (INSTRUCTOR
// block) repeats the lab test's host-side checks and says which outcome the driver must get:
// pass for the honest alternative, fail with the named check for each wrong one.
#include <kernel/test.h>
#include <kstd/enforce.h>

namespace {

ErrorOr<void> run_lab_test(char const* name)
{
    KernelTest const* test = ktest::find(name);
    if (!test)
        return ktest::fail(__FILE__, __LINE__, "no kernel test named %s", name);
    return test->function();
}

}

#define LAB_SELFTEST(lab_test, word) \
    KTEST(selftest__##lab_test##__##word, SELFTEST_SUITE) { return run_lab_test(#lab_test); }

LAB_SELFTEST(uart_irq_tx_64k, uart_linux_tx)
LAB_SELFTEST(uart_irq_tx_64k, uart_polling_thread)
LAB_SELFTEST(uart_irq_tx_64k, uart_secret_poll)
LAB_SELFTEST(uart_irq_rx_20k, uart_linux_tx)
LAB_SELFTEST(uart_irq_rx_20k, uart_polling_thread)
LAB_SELFTEST(uart_irq_rx_20k, uart_rx_polling)
LAB_SELFTEST(uart_irq_blocking, tty_read_naps)
LAB_SELFTEST(uart_irq_blocking, tty_read_no_recheck)
LAB_SELFTEST(lab3_tty_throttles_when_full, tty_flush_drops)
LAB_SELFTEST(lab3_tty_wakes_reader_on_line, tty_wake_half_line)
LAB_SELFTEST(uart_tx_buffer, uart_poll_sets_ier)
