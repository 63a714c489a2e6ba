// Lab 1 on the host: your hw_init(), poll_putc() and poll_getc() (drivers/char/uart16550/init.cpp,
// poll_io.cpp) against a register-level model of the 16550 (tests/unit/models/uart16550.h), which
// sends and receives at the real 115200 baud, so a driver that does not wait is caught. The checks
// are in tests/unit/labs/uart_checks.cpp. Run them with `make unit-tests UNIT_ARGS='[lab1]'`.
#include <labs/uart_checks.h>

using namespace labtest;

TEST_CASE("lab 1: hw_init programs the divisor, 8N1, the FIFOs, IER 0 and MCR", "[.lab1][uart_host_init]")
{
    check_init_registers(tree_uart);
}

TEST_CASE("lab 1: hw_init keeps bytes already in the receive FIFO", "[.lab1][uart_host_init_fifo]")
{
    check_init_keeps_received_bytes(tree_uart);
}

TEST_CASE("lab 1: poll_putc waits for THRE at 115200 baud", "[.lab1][uart_host_putc]")
{
    check_putc_waits_for_thre(tree_uart);
}

TEST_CASE("lab 1: poll_getc reads RBR only after LSR.DR", "[.lab1][uart_host_getc]")
{
    check_getc_waits_for_dr(tree_uart);
}
