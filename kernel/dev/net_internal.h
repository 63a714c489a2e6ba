#pragma once
// Shared between netdev.cpp and net_protocols.cpp; not a public interface.
#include <kernel/dev/netdev.h>

namespace netdev::internal {

// Hands `packet` to the handler registered for `ethertype` and returns true, or returns false
// (and leaves the packet alone) when there is none. Context: as netdev::receive.
bool deliver_to_protocol(NetDevice& device, u16 ethertype, OwnPtr<Packet>& packet);

}
