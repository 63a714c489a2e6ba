// models::reset_all (framework.h).
#include "framework.h"
#include "host_irq.h"
#include "host_tty.h"

namespace models {

void reset_all()
{
    clock().reset();
    cpu().reset();
    port_bus().reset();
    mmio_bus().reset();
    kernel_log().clear();
    set_irqchip(nullptr);
    forget_work();
    forget_tty_ports();
}

}
