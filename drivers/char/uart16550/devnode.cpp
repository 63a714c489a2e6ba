// /dev/ttySN for a bound port: the TTY layer (include/drivers/tty.h) registers it (char
// 4:(64 + N), as in Linux) over the driver's ops table. The line discipline runs above the port:
// a File's read/write go through it (canonical mode by default: line editing, echo, CR/LF
// handling; TCSETS switches it to raw), its NonBlock flag and timeout reach the port as the
// tty::ReadMode, and ioctls the TTY does not know itself (the IOCTL_* of uart16550.h) are passed
// on to the driver. Tests and tools that want the bytes untouched use the raw interface in
// include/drivers/uart16550.h instead.
#include "uart16550.h"
#include <kstd/enforce.h>

namespace uart16550 {

ErrorOr<void> register_node(Port& port)
{
    port.m_tty = TRY(tty::register_tty(port.m_name, port_ops(), &port));
    return {};
}

void unregister_node(Port& port) { port.m_tty.unregister(); }

}
