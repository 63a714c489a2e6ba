// models::reset_all (framework.h).
#include "framework.h"

namespace models {

void reset_all()
{
    clock().reset();
    cpu().reset();
    port_bus().reset();
    mmio_bus().reset();
    kernel_log().clear();
}

}
