#pragma once
// The host device-model framework in one include (see README.md in this folder): the clock,
// the port and MMIO buses, interrupt lines and the CPU, physical memory for DMA, and the
// kernel log. A test that uses models starts with a ModelFixture so that no state leaks from
// the test before.
#include "clock.h"
#include "interrupt_line.h"
#include "kernel_log.h"
#include "mmio_bus.h"
#include "phys_memory.h"
#include "port_bus.h"

namespace models {

// Time zero, empty buses, interrupts enabled, nothing pending, an empty log. Physical memory
// keeps its allocations (tests free what they allocate; the DMA API's bounce pool stays).
void reset_all();

struct ModelFixture {
    ModelFixture() { reset_all(); }
    ~ModelFixture() { reset_all(); }
};

}
