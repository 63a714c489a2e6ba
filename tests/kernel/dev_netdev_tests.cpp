// The network device class and the loopback interface: frames sent on lo come back with every
// counter right, a full TX ring drops and counts, protocol handlers take their EtherType, and
// registration, down interfaces and oversized frames are refused.
#include <kernel/dev/builtin.h>
#include <kernel/dev/netdev.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace dev;

constexpr u16 ETHERTYPE_TEST = 0x88B5;       // IEEE "local experimental EtherType 1"
constexpr u16 ETHERTYPE_HANDLED = 0x88B6;    // ... and 2
constexpr usize FRAME_SIZE = 64;

// A minimal Ethernet frame: zero MACs (lo's), the EtherType, then `tag` and a pattern.
ErrorOr<OwnPtr<Packet>> make_frame(u16 ethertype, u8 tag, usize size = FRAME_SIZE)
{
    auto packet = TRY(Packet::create(size));
    TRY(packet->set_size(size));
    Bytes frame = packet->data();
    memset(frame.data(), 0, frame.size());
    if (size < ETHERNET_HEADER_SIZE)
        return packet;   // a runt
    frame[12] = u8(ethertype >> 8);
    frame[13] = u8(ethertype);
    for (usize i = ETHERNET_HEADER_SIZE; i < size; ++i)
        frame[i] = u8(tag + i);
    return packet;
}

// Empties lo's RX queue of whatever earlier traffic left there.
void drain(NetDevice& device)
{
    while (!netdev::read_packet(device, 0).is_error()) {
    }
}

}

KTEST(dev_loopback_xmit_delivers_to_receive, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto lo = EXPECT_OK(netdev::find("lo"));
    EXPECT(lo->is_up());
    EXPECT(kstd::StringView(lo->driver()) == "loopback");
    drain(*lo);
    NetDevStats before = lo->stats();

    EXPECT_OK(netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_TEST, 7))));
    auto got = EXPECT_OK(netdev::read_packet(*lo, time::NS_PER_S));
    EXPECT_EQ(got->size(), FRAME_SIZE);
    EXPECT_EQ(got->protocol(), ETHERTYPE_TEST);
    auto expected = EXPECT_OK(make_frame(ETHERTYPE_TEST, 7));
    EXPECT_EQ(memcmp(got->data().data(), expected->data().data(), FRAME_SIZE), 0);

    NetDevStats after = lo->stats();
    EXPECT_EQ(after.tx_packets - before.tx_packets, 1u);
    EXPECT_EQ(after.tx_bytes - before.tx_bytes, FRAME_SIZE);
    EXPECT_EQ(after.rx_packets - before.rx_packets, 1u);
    EXPECT_EQ(after.rx_bytes - before.rx_bytes, FRAME_SIZE);
    EXPECT_EQ(after.tx_dropped + after.rx_dropped, before.tx_dropped + before.rx_dropped);

    // A frame too short for an Ethernet header leaves, but is counted as an error on arrival.
    EXPECT_OK(netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_TEST, 0, 10))));
    EXPECT_ERROR(netdev::read_packet(*lo, 50 * time::NS_PER_MS), ETIMEDOUT);
    EXPECT_EQ(lo->stats().rx_errors - before.rx_errors, 1u);
    // Larger than header + MTU: refused before the driver sees it.
    EXPECT_ERROR(netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_TEST, 0, ETHERNET_HEADER_SIZE + 1501))), EMSGSIZE);
    EXPECT_ERROR(netdev::read_packet(*lo, 0), EAGAIN);
    return {};
}

KTEST(dev_loopback_full_tx_ring_drops, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto lo = EXPECT_OK(netdev::find("lo"));
    drain(*lo);
    NetDevStats before = lo->stats();

    // Outrank the system workqueue (the loopback's "wire"), so nothing drains the ring meanwhile.
    sched::set_priority(sched::current(), sched::PRIORITY_DEFAULT + 1);
    u32 sent = 0, busy = 0, other = 0;
    for (u8 i = 0; i < 20; ++i) {
        auto result = netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_TEST, i)));
        if (!result.is_error())
            ++sent;
        else if (result.error().code() == EBUSY)
            ++busy;
        else
            ++other;
    }
    sched::set_priority(sched::current(), sched::PRIORITY_DEFAULT);
    EXPECT_EQ(sent, 16u);
    EXPECT_EQ(busy, 4u);
    EXPECT_EQ(other, 0u);
    NetDevStats after = lo->stats();
    EXPECT_EQ(after.tx_dropped - before.tx_dropped, 4u);
    EXPECT_EQ(after.tx_packets - before.tx_packets, 16u);

    // The 16 that fit arrive, in order.
    for (u8 i = 0; i < 16; ++i) {
        auto got = EXPECT_OK(netdev::read_packet(*lo, time::NS_PER_S));
        u8 tag = u8(got->data()[ETHERNET_HEADER_SIZE] - ETHERNET_HEADER_SIZE);
        EXPECT_MSG(tag == i, "frame %u arrived as number %u", tag, i);
    }
    EXPECT_ERROR(netdev::read_packet(*lo, 0), EAGAIN);
    EXPECT_EQ(lo->stats().rx_packets - before.rx_packets, 16u);
    return {};
}

namespace {

struct Seen {
    u32 volatile count { 0 };
    u16 protocol { 0 };
    usize size { 0 };
    NetDevice* device { nullptr };
};

void handle_frame(NetDevice& device, OwnPtr<Packet> packet, void* ctx)
{
    auto& seen = *static_cast<Seen*>(ctx);
    seen.protocol = packet->protocol();
    seen.size = packet->size();
    seen.device = &device;
    seen.count = seen.count + 1;
}

}

KTEST(dev_netdev_protocol_handler, CORE_SUITE)
{
    dev::init_builtin_devices();
    auto lo = EXPECT_OK(netdev::find("lo"));
    drain(*lo);
    Seen seen;
    auto handler = EXPECT_OK(netdev::register_protocol(ETHERTYPE_HANDLED, handle_frame, &seen));
    EXPECT_ERROR(netdev::register_protocol(ETHERTYPE_HANDLED, handle_frame, &seen), EBUSY);
    EXPECT_ERROR(netdev::register_protocol(0x0800, nullptr, nullptr), EINVAL);

    EXPECT_OK(netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_HANDLED, 1))));
    EXPECT_OK(netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_TEST, 2))));
    auto queued = EXPECT_OK(netdev::read_packet(*lo, time::NS_PER_S));   // the other type was queued
    EXPECT_EQ(queued->protocol(), ETHERTYPE_TEST);
    EXPECT_EQ(seen.count, 1u);   // delivered in order, so the handled frame came first
    EXPECT_EQ(seen.protocol, ETHERTYPE_HANDLED);
    EXPECT_EQ(seen.size, FRAME_SIZE);
    EXPECT_EQ(seen.device, lo.ptr());
    EXPECT_ERROR(netdev::read_packet(*lo, 0), EAGAIN);

    // Without the handler, frames of that type go to the queue.
    handler.unregister();
    EXPECT_OK(netdev::transmit(*lo, EXPECT_OK(make_frame(ETHERTYPE_HANDLED, 3))));
    auto unhandled = EXPECT_OK(netdev::read_packet(*lo, time::NS_PER_S));
    EXPECT_EQ(unhandled->protocol(), ETHERTYPE_HANDLED);
    EXPECT_EQ(seen.count, 1u);
    return {};
}

namespace {

struct TestNic {
    u32 opens { 0 };
    u32 stops { 0 };
};

ErrorOr<void> nic_open(NetDevice& device)
{
    ++static_cast<TestNic*>(device.data())->opens;
    return {};
}

void nic_stop(NetDevice& device) { ++static_cast<TestNic*>(device.data())->stops; }

// A NIC whose TX ring is always full.
ErrorOr<void> nic_xmit(NetDevice&, OwnPtr<Packet>) { return Error::from_errno(ENOBUFS); }

constexpr NetDevOps nic_ops { .driver = "ktnic", .open = nic_open, .stop = nic_stop, .xmit = nic_xmit };

}

KTEST(dev_netdev_register_up_down, CORE_SUITE)
{
    dev::init_builtin_devices();
    TestNic nic;
    EXPECT_ERROR(register_netdev("ktnet0", NetDevOps {}, {}, &nic), EINVAL);   // no xmit
    EXPECT_ERROR(register_netdev("lo", nic_ops, {}, &nic), EEXIST);
    EXPECT_ERROR(register_netdev("ktnet0", nic_ops, { .mtu = 20 }, &nic), EINVAL);
    NetDevConfig config { .mac = { { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } } };
    auto handle = EXPECT_OK(register_netdev("ktnet0", nic_ops, config, &nic));
    NetDevice& device = *handle.device();
    auto lo = EXPECT_OK(netdev::find("lo"));
    EXPECT(device.ifindex() > lo->ifindex());
    EXPECT(device.mac() == config.mac);
    EXPECT(!device.is_up());

    EXPECT_ERROR(netdev::transmit(device, EXPECT_OK(make_frame(ETHERTYPE_TEST, 0))), ENETDOWN);   // down
    EXPECT_OK(netdev::up(device));
    EXPECT_OK(netdev::up(device));   // already up: nothing happens
    EXPECT_EQ(nic.opens, 1u);
    EXPECT_ERROR(netdev::transmit(device, EXPECT_OK(make_frame(ETHERTYPE_TEST, 0))), ENOBUFS);
    EXPECT_EQ(device.stats().tx_dropped, 1u);
    EXPECT_EQ(device.stats().tx_packets, 0u);

    // A frame received while down is dropped and counted.
    netdev::down(device);
    EXPECT_EQ(nic.stops, 1u);
    netdev::receive(device, EXPECT_OK(make_frame(ETHERTYPE_TEST, 0)));
    EXPECT_EQ(device.stats().rx_dropped, 1u);
    EXPECT_EQ(device.rx_queued(), 0u);

    EXPECT_OK(netdev::up(device));
    handle.unregister();   // brings it down first
    EXPECT_EQ(nic.stops, 2u);
    EXPECT_ERROR(netdev::find("ktnet0"), ENOENT);
    return {};
}
