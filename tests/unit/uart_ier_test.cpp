// The 16550 driver's IER, derived from its state in one function (derive_ier in
// drivers/char/uart16550/interrupts.cpp): a truth table over the state. The register-level
// files compile for the host; their behaviour against a 16550 model is issue 9's.
#include "support.h"
#include "../../drivers/char/uart16550/uart.h"

using namespace uart16550;

namespace {
Uart& open_irq_uart()
{
    static Uart uart;
    uart = {};
    uart.interrupts_wanted = true;
    uart.rx_active = true;
    return uart;
}
}

TEST_CASE("derive_ier follows the driver's state", "[uart][ier]")
{
    Uart& uart = open_irq_uart();
    CHECK(derive_ier(uart) == (Ier::RxAvailable | Ier::LineStatus));

    u8 const byte = 'x';
    REQUIRE(uart.tx.push(byte));   // something to send: THRE
    CHECK(derive_ier(uart) == (Ier::RxAvailable | Ier::LineStatus | Ier::ThrEmpty));

    uart.tx_stopped = true;   // tcflow(TCOOFF): the queue waits
    CHECK(derive_ier(uart) == (Ier::RxAvailable | Ier::LineStatus));
    uart.tx_stopped = false;

    uart.rx_throttled = true;   // the TTY is full: no receive interrupt, errors still counted
    CHECK(derive_ier(uart) == (Ier::LineStatus | Ier::ThrEmpty));
    uart.rx_throttled = false;
    uart.rx_held = true;
    CHECK(derive_ier(uart) == (Ier::LineStatus | Ier::ThrEmpty));
    uart.rx_held = false;

    uart.console_writing = true;   // a polled console line: nothing at all
    CHECK(derive_ier(uart) == Ier::None);
    uart.console_writing = false;

    uart.rx_active = false;   // nobody has the TTY open: only output
    CHECK(derive_ier(uart) == Ier::ThrEmpty);

    uart.interrupts_wanted = false;   // poll mode: never
    CHECK(derive_ier(uart) == Ier::None);
}
