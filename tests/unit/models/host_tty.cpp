// The driver's side of the TTY core (tty::TtyPort, include/kernel/tty/tty.h) on the host: a
// driver under test puts received bytes into its port's flip buffer and push()es, as in the
// kernel; here a push is only counted (host_tty.h), and the test plays the TTY's bottom half by
// taking the bytes out of the flip buffer itself.
#include <kstd/error.h>
#include "host_tty.h"
#include <kernel/tty/tty.h>
#include <map>

namespace models {

namespace {
std::map<tty::TtyPort const*, TtyPortCounts> g_counts;
}

TtyPortCounts tty_port_counts(tty::TtyPort const& port)
{
    auto found = g_counts.find(&port);
    return found == g_counts.end() ? TtyPortCounts {} : found->second;
}

void forget_tty_ports() { g_counts.clear(); }

}

namespace tty {

usize TtyPort::receive(kstd::Span<u8 const> bytes)
{
    sched::SpinlockGuard guard(m_receive_lock);
    return m_flip.insert(bytes);
}

void TtyPort::push() { ++models::g_counts[this].pushes; }
void TtyPort::write_wakeup() { ++models::g_counts[this].write_wakeups; }
ErrorOr<void> TtyPort::wait_until_sent(u64) { return Error::from_errno(ENODEV); }
ErrorOr<long> TtyPort::ioctl(u32, uptr) { return Error::from_errno(ENOTTY); }
TtyStats TtyPort::stats() const { return {}; }

}
