// Loopback interface `lo`: every frame sent comes back as received.
//
// It is built like a small NIC, so that it shows the shape of a real network driver (the e1000 of
// lab 7) without any hardware:
//   * xmit() puts the frame on a TX ring of TX_RING_SLOTS frames and returns. A full ring answers
//     EBUSY, which the net core counts as a drop -- exactly what a NIC driver does when its
//     descriptor ring has no free slot.
//   * A work item on the system workqueue plays the wire and the receiving NIC: it takes frames
//     off the ring, oldest first, and hands each to netdev::receive(), as an RX interrupt's
//     bottom half would.
// Frames keep their Ethernet header; the MAC address is all zeros, as on Linux's lo.
// Limitations: no checksum offload or multicast filtering to emulate; only one lo.
#include <kernel/dev/builtin.h>
#include <kernel/dev/netdev.h>
#include <kernel/irq/workqueue.h>
#include <kernel/sched/sync.h>
#include <kstd/enforce.h>

namespace drivers::loopback {

namespace {

using dev::NetDevice;
using dev::Packet;

constexpr usize TX_RING_SLOTS = 16;

struct Loopback {
    sched::Spinlock lock { "loopback-tx" };
    IntrusiveList<Packet, &Packet::queue_link> tx_ring;   // Guarded by lock
    irq::WorkItem wire;
    NetDevice* device { nullptr };
    dev::NetDevHandle handle;

    Loopback();
    Packet* take();
};

Loopback g_lo;

void deliver(void* ctx)   // Context: work item (process context)
{
    auto& lo = *static_cast<Loopback*>(ctx);
    while (Packet* packet = lo.take())
        netdev::receive(*lo.device, OwnPtr<Packet>(packet));
}

Loopback::Loopback() : wire(deliver, this) {}

Packet* Loopback::take()
{
    sched::SpinlockGuard guard(lock);
    return tx_ring.pop_front();
}

ErrorOr<void> loopback_xmit(NetDevice& device, OwnPtr<Packet> packet)
{
    auto& lo = *static_cast<Loopback*>(device.data());
    {
        sched::SpinlockGuard guard(lo.lock);
        if (lo.tx_ring.size() >= TX_RING_SLOTS)
            return Error::from_errno(EBUSY);   // `packet` is freed on return, outside the lock
        lo.tx_ring.push_back(*packet.leak_ptr());
    }
    irq::system_workqueue().queue(lo.wire);
    return {};
}

void loopback_stop(NetDevice& device)
{
    auto& lo = *static_cast<Loopback*>(device.data());
    irq::system_workqueue().flush();   // let a delivery in progress finish (it drops: we are down)
    while (Packet* packet = lo.take())
        delete packet;
}

constexpr dev::NetDevOps loopback_ops {
    .driver = "loopback",
    .stop = loopback_stop,
    .xmit = loopback_xmit,
};

}

ErrorOr<void> init()
{
    g_lo.handle = TRY(dev::register_netdev("lo", loopback_ops, {}, &g_lo));
    g_lo.device = g_lo.handle.device();
    TRY(netdev::up(*g_lo.device));
    return {};
}

}
