// The network device class: registration, up/down, transmit and receive with their
// statistics, and the per-device RX queue (include/kernel/dev/netdev.h). Protocol handlers are in
// net_protocols.cpp.
//
// Who counts what: transmit() counts tx_packets/tx_bytes for every frame the driver accepted and
// tx_dropped (ring full) or tx_errors (any other refusal) for the rest; receive() counts every
// intact frame in rx_packets/rx_bytes, and rx_dropped for those it then had to discard.
#include "net_internal.h"
#include <kernel/dev/netdev.h>
#include <kernel/sched/entity.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace dev {

// The net core's door into NetDevice's private state.
struct NetDevice::Core {
    static Gate& gate(NetDevice& d) { return d.m_gate; }
    static NetDevOps const& ops(NetDevice& d) { return d.m_ops; }
    static sched::Mutex& state_lock(NetDevice& d) { return d.m_state_lock; }
    static void set_up(NetDevice& d, bool up) { __atomic_store_n(&d.m_up, up, __ATOMIC_RELEASE); }
    static bool enqueue_rx(NetDevice& d, OwnPtr<Packet>& packet);
    static Packet* dequeue_rx(NetDevice& d);
    static sched::WaitQueue& rx_waiters(NetDevice& d) { return d.m_rx_waiters; }
    static bool rx_empty(NetDevice const& d) { return d.m_rx_queue.is_empty(); }
    static void count_tx(NetDevice& d, ErrorOr<void> const& sent, usize bytes);
    static void count_rx(NetDevice& d, usize bytes)
    {
        d.m_rx_packets.add();
        d.m_rx_bytes.add(bytes);
    }
    static void count_rx_dropped(NetDevice& d) { d.m_rx_dropped.add(); }
    static void count_rx_error(NetDevice& d) { d.m_rx_errors.add(); }
    static void count_tx_error(NetDevice& d) { d.m_tx_errors.add(); }
    static void set_carrier(NetDevice& d, bool carrier)
    {
        if (__atomic_exchange_n(&d.m_carrier, carrier, __ATOMIC_ACQ_REL) != carrier)
            d.m_carrier_changes.add();
    }
};

namespace {

sched::Mutex g_lock { "netdev" };
IntrusiveList<NetDevice, &NetDevice::m_registry_link> g_devices;   // Guarded by g_lock
u32 g_next_ifindex = 1;                                             // Guarded by g_lock

NetDevice* find_locked(StringView name)
{
    for (auto& device : g_devices) {
        if (StringView(device.name()) == name)
            return &device;
    }
    return nullptr;
}

}

// --- NetDevice -----------------------------------------------------------------------------------

NetDevice::NetDevice(StringView name, u32 ifindex, NetDevOps const& ops, NetDevConfig const& config, void* data)
    : m_ifindex(ifindex)
    , m_ops(ops)
    , m_config(config)
    , m_data(data)
{
    kstd::copy_string(m_name, sizeof(m_name), name);
    if (!m_ops.driver)
        m_ops.driver = m_name;
}

NetDevice::~NetDevice()
{
    while (Packet* packet = m_rx_queue.pop_front())
        delete packet;
}

NetDevStats NetDevice::stats() const
{
    return { m_rx_packets.get(), m_rx_bytes.get(), m_rx_errors.get(), m_rx_dropped.get(), m_tx_packets.get(),
        m_tx_bytes.get(), m_tx_errors.get(), m_tx_dropped.get() };
}

usize NetDevice::rx_queued() const
{
    sched::SpinlockGuard guard(m_rx_lock);
    return m_rx_queue.size();
}

bool NetDevice::Core::enqueue_rx(NetDevice& d, OwnPtr<Packet>& packet)
{
    sched::SpinlockGuard guard(d.m_rx_lock);
    if (d.m_rx_queue.size() >= d.m_config.rx_queue_limit)
        return false;
    d.m_rx_queue.push_back(*packet.leak_ptr());
    return true;
}

Packet* NetDevice::Core::dequeue_rx(NetDevice& d)
{
    sched::SpinlockGuard guard(d.m_rx_lock);
    return d.m_rx_queue.pop_front();
}

void NetDevice::Core::count_tx(NetDevice& d, ErrorOr<void> const& sent, usize bytes)
{
    if (!sent.is_error()) {
        d.m_tx_packets.add();
        d.m_tx_bytes.add(bytes);
        return;
    }
    int code = sent.error().code();
    (code == EBUSY || code == ENOBUFS ? d.m_tx_dropped : d.m_tx_errors).add();
}

// --- Registration --------------------------------------------------------------------------------

ErrorOr<NetDevHandle> register_netdev(StringView name, NetDevOps const& ops, NetDevConfig const& config, void* data)
{
    if (name.is_empty() || name.contains('/') || !ops.xmit || config.mtu < 68)
        return Error::from_errno(EINVAL);
    if (name.length() > MAX_NAME_LENGTH)
        return Error::from_errno(ENAMETOOLONG);
    sched::MutexGuard guard(g_lock);
    if (find_locked(name))
        return Error::from_errno(EEXIST);
    auto* device = new (kstd::nothrow) NetDevice(name, g_next_ifindex, netdev::with_defaults(ops), config, data);
    if (!device)
        return Error::from_errno(ENOMEM);
    ++g_next_ifindex;
    g_devices.push_back(*device);   // covered by the handle's reference
    return NetDevHandle(*device);
}

NetDevHandle::NetDevHandle(NetDevice& device) : m_device(&device) {}

NetDevHandle::NetDevHandle(NetDevHandle&& other) : m_device(kstd::exchange(other.m_device, nullptr)) {}

NetDevHandle& NetDevHandle::operator=(NetDevHandle&& other)
{
    if (this != &other) {
        unregister();
        m_device = kstd::exchange(other.m_device, nullptr);
    }
    return *this;
}

void NetDevHandle::unregister()
{
    NetDevice* device = kstd::exchange(m_device, nullptr);
    if (!device)
        return;
    {
        sched::MutexGuard guard(g_lock);
        g_devices.remove(*device);
    }
    netdev::down(*device);
    NetDevice::Core::gate(*device).close();
    NetDevice::Core::rx_waiters(*device).wake_all();   // read_packet sleepers leave with ENODEV
    NetDevice::Core::gate(*device).drain(device->name());
    while (Packet* packet = NetDevice::Core::dequeue_rx(*device))
        delete packet;
    device->unref();
}

}

namespace netdev {

using Core = dev::NetDevice::Core;

ErrorOr<void> up(NetDevice& device)
{
    sched::MutexGuard guard(Core::state_lock(device));
    if (device.is_up())
        return {};
    auto pass = TRY(Core::gate(device).pass());
    TRY(Core::ops(device).open(device));
    Core::set_up(device, true);
    return {};
}

void down(NetDevice& device)
{
    sched::MutexGuard guard(Core::state_lock(device));
    if (!device.is_up())
        return;
    Core::set_up(device, false);
    Core::ops(device).stop(device);
}

ErrorOr<void> transmit(NetDevice& device, OwnPtr<Packet> packet)
{
    VERIFY(packet);
    if (packet->size() == 0)
        return Error::from_errno(EINVAL);
    if (packet->size() > dev::ETHERNET_HEADER_SIZE + device.mtu())
        return Error::from_errno(EMSGSIZE);
    auto pass = TRY(Core::gate(device).pass());
    if (!device.is_up() || !device.has_carrier())
        return Error::from_errno(ENETDOWN);   // not brought up, or no link (ENODEV: gone)
    usize bytes = packet->size();
    auto sent = Core::ops(device).xmit(device, kstd::move(packet));
    Core::count_tx(device, sent, bytes);
    return sent;
}

void receive(NetDevice& device, OwnPtr<Packet> packet)
{
    VERIFY(packet);
    if (packet->size() < dev::ETHERNET_HEADER_SIZE) {
        Core::count_rx_error(device);   // a runt: not even a header
        return;
    }
    Core::count_rx(device, packet->size());
    ReadonlyBytes frame = packet->data();
    u16 ethertype = u16(frame[12] << 8 | frame[13]);
    packet->set_protocol(ethertype);
    if (!device.is_up() || device.is_gone()) {
        Core::count_rx_dropped(device);
        return;
    }
    if (internal::deliver_to_protocol(device, ethertype, packet))
        return;
    if (!Core::enqueue_rx(device, packet)) {
        Core::count_rx_dropped(device);   // the packet is freed here, outside the RX lock
        return;
    }
    Core::rx_waiters(device).wake_all();
}

void set_carrier(NetDevice& device, bool carrier) { Core::set_carrier(device, carrier); }
usize rx_pending(NetDevice& device) { return Core::ops(device).rx_pending(device); }
void count_rx_error(NetDevice& device) { Core::count_rx_error(device); }
void count_tx_error(NetDevice& device) { Core::count_tx_error(device); }

ErrorOr<OwnPtr<Packet>> read_packet(NetDevice& device, u64 timeout_ns)
{
    auto pass = TRY(Core::gate(device).pass());
    if (timeout_ns != 0) {
        u64 deadline = sched::deadline_after(timeout_ns);
        auto waited = Core::rx_waiters(device).wait_event_until(
            [&device] { return !Core::rx_empty(device) || device.is_gone(); }, deadline);
        if (device.is_gone())
            return Error::from_errno(ENODEV);
        if (waited.is_error())
            return waited.release_error();
    }
    Packet* packet = Core::dequeue_rx(device);
    if (!packet)
        return Error::from_errno(timeout_ns == 0 ? EAGAIN : ETIMEDOUT);
    return OwnPtr<Packet>(packet);
}

ErrorOr<dev::Ref<NetDevice>> find(StringView name)
{
    sched::MutexGuard guard(dev::g_lock);
    NetDevice* device = dev::find_locked(name);
    if (!device)
        return Error::from_errno(ENOENT);
    return dev::Ref<NetDevice>(*device);
}

void for_each(void (*fn)(NetDevice& device, void* ctx), void* ctx)
{
    sched::MutexGuard guard(dev::g_lock);
    for (auto& device : dev::g_devices)
        fn(device, ctx);
}

}
