// Lab 2 on the host: your top half, derive_ier(), tx_refill(), rx_drain() and queue_tx()
// (drivers/char/uart16550/interrupts.cpp) against a register-level model of the 16550
// (tests/unit/models/uart16550.h) whose interrupt output drives an edge-triggered IRQ 4, in
// scenarios QEMU cannot stage on demand: two causes pending at once, a transmitter at the real
// 115200 baud, an overrun at an exact byte. The checks are in tests/unit/labs/uart_checks.cpp.
// Run them with `make unit-tests UNIT_ARGS='[lab2]'`.
#include <labs/uart_checks.h>

using namespace labtest;

TEST_CASE("lab 2: one interrupt serves received data and THRE pending at once", "[.lab2][uart_host_iir_loop]")
{
    check_top_half_serves_every_cause(tree_uart);
}

TEST_CASE("lab 2: queue_tx enables THRE, and THRE interrupts send the queue", "[.lab2][uart_host_thre_on]")
{
    check_thre_enabled_while_queued(tree_uart);
}

TEST_CASE("lab 2: THRE is off once the queue is empty, and on again for the next write", "[.lab2][uart_host_thre_off]")
{
    check_thre_disabled_when_empty(tree_uart);
}

TEST_CASE("lab 2: queue_tx queues and returns without waiting for the transmitter", "[.lab2][uart_host_queue_tx]")
{
    check_queue_tx_does_not_wait(tree_uart);
}

TEST_CASE("lab 2: 100 bytes at 115200 baud arrive by receive interrupts and timeouts", "[.lab2][uart_host_rx]")
{
    check_receive_by_interrupt(tree_uart);
}

TEST_CASE("lab 2: an overrun of the receive FIFO is counted, the first 16 bytes survive", "[.lab2][uart_host_overrun]")
{
    check_overrun_counted(tree_uart);
}
