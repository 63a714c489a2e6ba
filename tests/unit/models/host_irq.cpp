// The kernel's IRQ services that the IRQ core (kernel/irq/irq_core.cpp, compiled for the host)
// and drivers' top halves need, defined for the host unit tests: the interrupt controller the
// core talks to is whatever a test installs (models::set_irqchip: the kernel's own Pic8259 over
// the 8259 model, or a recording stand-in), and threaded IRQs, which need a scheduler, are not
// available. Work items run when a test flushes the queue, in thread context.
#include <kstd/error.h>
#include "host_irq.h"
#include <kernel/irq/irq_internal.h>
#include <kernel/irq/irqchip.h>
#include <kernel/irq/workqueue.h>
#include <vector>

namespace models {

namespace {
irq::IrqChip* g_chip = nullptr;
std::vector<irq::WorkItem*> g_work;
}

void set_irqchip(irq::IrqChip* chip) { g_chip = chip; }

}

namespace irq {

IrqChip& irqchip()
{
    VERIFY(models::g_chip != nullptr);   // a test that dispatches installs a chip first
    return *models::g_chip;
}

ChipKind irqchip_kind() { return ChipKind::Pic; }

ErrorOr<void> start_irq_thread(IrqAction&) { return Error::from_errno(ENOSYS); }
void stop_irq_thread_if_any(IrqAction&) {}
void wake_irq_thread(IrqAction&) {}
u64 irq_thread_runs(IrqAction const&) { return 0; }

// The system workqueue: items wait until a test calls flush(), which runs them in order.
WorkQueue& system_workqueue()
{
    alignas(WorkQueue) static unsigned char storage[sizeof(WorkQueue)] = {};
    return *reinterpret_cast<WorkQueue*>(storage);
}

bool WorkQueue::queue(WorkItem& item)
{
    if (item.m_pending)
        return false;
    item.m_pending = true;
    models::g_work.push_back(&item);
    return true;
}

void WorkQueue::flush()
{
    while (!models::g_work.empty()) {
        WorkItem* item = models::g_work.front();
        models::g_work.erase(models::g_work.begin());
        item->m_pending = false;
        item->m_fn(item->m_ctx);
    }
}

}

namespace models {

void forget_work() { g_work.clear(); }

}

// ---- I/O reservations ------------------------------------------------------------------------
// A driver's object may own port reservations (io::PortRange); on the host nothing was reserved
// (a test builds the windows itself), so giving them back is a no-op.
#include <kernel/io/io.h>

void io::PortRange::release() { m_resource = nullptr; }
