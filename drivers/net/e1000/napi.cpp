// e1000 NAPI mode (`e1000.napi=on`, the default): the ops table and its life cycle. The top
// half and the poll it schedules are lab 7 part 4 (napi_poll.cpp, which says how NAPI works).
//
// The poll runs first as a tasklet; when a poll uses its whole budget, the following ones run
// in the NAPI thread at an ordinary priority (include/kernel/irq/napi.h), so that under a flood
// packet processing shares the CPU with the other threads instead of pre-empting them.
#include "e1000.h"
#include <kstd/enforce.h>

namespace e1000 {

namespace {

ErrorOr<void> napi_start(PciNic& nic)
{
    nic.napi = TRY(kstd::make<irq::NapiPoll>(nic.napi_ops->poll, nic.napi_ops->rearm, static_cast<Nic*>(&nic),
                                             nic.napi_budget, nic.name));
    TRY(nic.napi->start_thread());
    return {};
}

void napi_stop(PciNic& nic)
{
    nic.napi = nullptr;   // kills the poll and joins its thread
    sched::SpinlockGuard guard(nic.irq_lock);
    nic.rings_polling = false;
}

irq::IrqReturn napi_top_half(PciNic& nic) { return nic.napi_ops->interrupt(nic); }

}

void napi_schedule(Nic& nic)
{
    if (irq::NapiPoll* napi = PciNic::of(nic).napi.ptr())
        napi->schedule();
}

ModeOps const napi_mode_ops {
    .name = "napi",
    .start = napi_start,
    .stop = napi_stop,
    .interrupt = napi_top_half,
};

}
