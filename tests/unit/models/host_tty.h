#pragma once
// What a driver under test asked of its TTY port on the host (host_tty.cpp).
#include <kstd/types.h>

namespace tty { class TtyPort; }

namespace models {

struct TtyPortCounts {
    u64 pushes { 0 };          // push(): "run the line discipline over the flip buffer"
    u64 write_wakeups { 0 };   // write_wakeup(): "the output queue drained"
};

TtyPortCounts tty_port_counts(tty::TtyPort const& port);
void forget_tty_ports();

}
