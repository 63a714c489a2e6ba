// The device gate (include/kernel/dev/object.h).
#include <kernel/sched/sync.h>
#include <kernel/dev/object.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace dev {

namespace {
constexpr u64 DRAIN_WARNING_NS = 5 * time::NS_PER_S;
}

ErrorOr<void> Gate::enter()
{
    sched::SpinlockGuard guard(m_lock);
    if (m_closed)
        return Error::from_errno(ENODEV);
    ++m_inside;
    return {};
}

void Gate::leave()
{
    sched::SpinlockGuard guard(m_lock);
    VERIFY(m_inside > 0);
    if (--m_inside == 0 && m_closed)
        m_drained.wake_all();
}

void Gate::close()
{
    sched::SpinlockGuard guard(m_lock);
    __atomic_store_n(&m_closed, true, __ATOMIC_RELEASE);
}

void Gate::drain(char const* what)
{
    VERIFY(is_closed());
    for (;;) {
        u64 deadline = sched::deadline_after(DRAIN_WARNING_NS);
        auto drained = m_drained.wait_event_until([this] { return m_inside == 0; }, deadline);
        if (!drained.is_error())
            return;
        log_warn("%s: unregistering waits for %u call(s) still inside the driver; a driver that "
                 "sleeps must wake up when its device goes away\n", what, inside());
    }
}

}
