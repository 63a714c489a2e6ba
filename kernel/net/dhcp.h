#pragma once
// The DHCP client's life cycle (kernel/net/dhcp.cpp), driven by interface.cpp.
#include "stack.h"
#include <kstd/error.h>

namespace net {

// Starts a client thread on `interface` (none may be running). Errors: ENOMEM, EADDRINUSE
// (another socket holds port 68). Context: thread. Locking: the interfaces mutex.
[[nodiscard]] ErrorOr<void> dhcp_start(Interface& interface);
// Stops it and waits for its thread; nothing if none runs. The address stays as it was.
// Context: thread. Locking: the interfaces mutex.
void dhcp_stop(Interface& interface);

}
