// Ethernet: the stack's two EtherType handlers (ARP and IPv4) on the net class, and the way out.
#include "stack.h"
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace net {

namespace {

// A buffer aligned to its own size rounded up to a power of two (at most 2 KiB) never crosses
// a page, so a NIC's DMA mapping of it is one segment and never needs the bounce pool (heap
// pages are not physically contiguous).
usize frame_alignment(usize capacity)
{
    usize alignment = 64;
    while (alignment < capacity && alignment < 2048)
        alignment <<= 1;
    return alignment;
}

netdev::ProtocolHandle g_arp_handle;
netdev::ProtocolHandle g_ipv4_handle;

// Context: the receiving driver's bottom half.
void receive_arp(dev::NetDevice& device, OwnPtr<dev::Packet> frame, void*)
{
    counters().eth_rx.add();
    Interface* interface = interface_of(device);
    if (!interface) {
        counters().eth_no_interface.add();
        return;
    }
    arp_receive(*interface, kstd::move(frame));
}

void receive_ipv4(dev::NetDevice& device, OwnPtr<dev::Packet> frame, void*)
{
    counters().eth_rx.add();
    Interface* interface = interface_of(device);
    if (!interface) {
        counters().eth_no_interface.add();
        return;
    }
    ipv4_receive(*interface, kstd::move(frame));
}

}

ErrorOr<OwnPtr<dev::Packet>> allocate_frame(usize transport_size)
{
    usize size = wire::TRANSPORT_OFFSET + transport_size;
    usize capacity = kstd::max(size, wire::MIN_FRAME);
    auto frame = TRY(dev::Packet::create(capacity, frame_alignment(capacity)));
    TRY(frame->set_size(size));
    return frame;
}

ErrorOr<void> ethernet_send(Interface& interface, MacAddress destination, u16 ethertype, OwnPtr<dev::Packet> frame)
{
    if (frame->size() < wire::MIN_FRAME) {
        usize old = frame->size();
        TRY(frame->set_size(wire::MIN_FRAME));   // pad with zeros: receivers trim by the IP length
        memset(frame->data().data() + old, 0, wire::MIN_FRAME - old);
    }
    wire::write_ethernet(frame->data(), { destination, interface.mac(), ethertype });
    return netdev::transmit(*interface.device, kstd::move(frame));
}

ErrorOr<void> ethernet_init()
{
    g_arp_handle = TRY(netdev::register_protocol(wire::ETHERTYPE_ARP, receive_arp, nullptr));
    g_ipv4_handle = TRY(netdev::register_protocol(wire::ETHERTYPE_IPV4, receive_ipv4, nullptr));
    return {};
}

}
