#pragma once
// One device handed to user space: its regions, its interrupt, and /dev/uioN (kernel/uio).
#include <kernel/bus/bus.h>
#include <kernel/dev/chardev.h>
#include <kernel/irq/irq.h>
#include <kernel/sched/sync.h>
#include <kstd/error.h>
#include <kstd/optional.h>
#include <uapi/uio.h>

namespace uio {

class UioDevice final : public bus::DriverState {
public:
    UioDevice() = default;
    ~UioDevice() override;

    // Fills info.device and the regions first, then calls this: registers /dev/uioN.
    [[nodiscard]] ErrorOr<void> publish();

    uapi::UioInfo info {};
    Optional<irq::IrqLine> line;

    // Open-file bookkeeping and the interrupt (uio_device.cpp).
    sched::Mutex lock { "uio" };
    u32 opens { 0 };               // Guarded by lock
    irq::IrqHandle irq;            // Guarded by lock; requested while the device is open
    u32 volatile count { 0 };      // interrupts so far; written by the top half
    dev::CharDevHandle node;
    char name[16] {};
};

}
