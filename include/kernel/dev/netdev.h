#pragma once
// Network devices: interfaces that send and receive whole frames (Ethernet: a 14-byte header,
// then up to `mtu` bytes of payload). Unlike char and block devices they are not in /dev (as in
// Unix): they are named ("lo", "eth0"), numbered by an interface index, and used through netdev::.
//
// The two directions:
//   transmit  netdev::transmit(dev, packet)  -> ops.xmit(dev, packet)  -> driver's TX ring
//   receive   driver's RX path               -> netdev::receive(dev, packet)
//             -> the protocol handler registered for the frame's EtherType (lab 7: ARP, IPv4),
//                or else the device's RX queue, which netdev::read_packet() drains.
// The core does the bookkeeping both ways (rx/tx packets, bytes, errors, drops), so a driver
// only moves frames.
#include <kernel/dev/object.h>
#include <kernel/dev/packet.h>
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/span.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>

namespace dev {

class NetDevice;

struct NetDevOps {
    // Who implements this table, for `lsdev` (defaults to the interface name).
    char const* driver = nullptr;

    // Bring the interface up: allocate rings, enable interrupts. Default: success.
    ErrorOr<void> (*open)(NetDevice& device) = nullptr;
    // Bring it down: stop the hardware, free what is still queued. A transmission that began
    // before the interface went down may still be inside xmit on another thread, so guard the TX
    // ring with one lock in both (the loopback does). Default: nothing.
    void (*stop)(NetDevice& device) = nullptr;
    // REQUIRED. Queue `packet` (a whole frame, header included, size checked against the MTU)
    // for sending and return; the driver owns it now. When the TX ring is full, return EBUSY
    // (or ENOBUFS when out of buffers): the packet is dropped and counted, never retried.
    // Context: thread or tasklet: do not sleep.
    ErrorOr<void> (*xmit)(NetDevice& device, OwnPtr<Packet> packet) = nullptr;
    // How many received frames wait in the device (a NIC: descriptors written back and not yet
    // taken), found without touching the hardware. For `lsdev` and for tests that must know a
    // burst has arrived while interrupts are off. Default: 0. Context: any.
    usize (*rx_pending)(NetDevice& device) = nullptr;
};

struct NetDevConfig {
    MacAddress mac {};
    usize mtu { DEFAULT_MTU };
    usize rx_queue_limit { 64 };   // frames waiting for read_packet; more are dropped
};

struct NetDevStats {
    u64 rx_packets, rx_bytes, rx_errors, rx_dropped;
    u64 tx_packets, tx_bytes, tx_errors, tx_dropped;
};

class NetDevice final : public RefCounted {
public:
    char const* name() const { return m_name; }
    u32 ifindex() const { return m_ifindex; }
    MacAddress mac() const { return m_config.mac; }
    usize mtu() const { return m_config.mtu; }
    bool is_up() const { return __atomic_load_n(&m_up, __ATOMIC_ACQUIRE); }
    // The link (carrier): set by the driver (netdev::set_carrier); true for devices without one.
    bool has_carrier() const { return __atomic_load_n(&m_carrier, __ATOMIC_ACQUIRE); }
    u64 carrier_changes() const { return m_carrier_changes.get(); }
    bool is_gone() const { return m_gate.is_closed(); }
    char const* driver() const { return m_ops.driver; }
    // The `data` pointer given to register_netdev(): the driver's device object.
    void* data() const { return m_data; }
    NetDevStats stats() const;
    usize rx_queued() const;

    // --- Used by the net core (kernel/dev/netdev.cpp reaches the private state through Core) ---
    NetDevice(StringView name, u32 ifindex, NetDevOps const& ops, NetDevConfig const& config, void* data);
    ~NetDevice() override;
    struct Core;
    friend struct Core;
    IntrusiveListNode m_registry_link;   // Guarded by the netdev registry lock

private:
    char m_name[MAX_NAME_LENGTH + 1] {};
    u32 m_ifindex;
    NetDevOps m_ops;
    NetDevConfig m_config;
    void* m_data;
    bool m_up { false };              // Guarded by m_state_lock
    bool m_carrier { true };          // written by the driver only
    Counter m_carrier_changes;
    sched::Mutex m_state_lock { "netdev-state" };
    Gate m_gate;                      // xmit calls inside the driver
    mutable sched::Spinlock m_rx_lock { "netdev-rx" };
    IntrusiveList<Packet, &Packet::queue_link> m_rx_queue;   // Guarded by m_rx_lock
    sched::WaitQueue m_rx_waiters;
    Counter m_rx_packets, m_rx_bytes, m_rx_errors, m_rx_dropped;
    Counter m_tx_packets, m_tx_bytes, m_tx_errors, m_tx_dropped;
};

// Owns a registration: unregister() brings the interface down, refuses new transmissions
// (ENODEV), waits for xmit calls in progress, and frees the RX queue.
class NetDevHandle {
public:
    NetDevHandle() = default;
    explicit NetDevHandle(NetDevice& device);
    NetDevHandle(NetDevHandle&& other);
    NetDevHandle& operator=(NetDevHandle&& other);
    NetDevHandle(NetDevHandle const&) = delete;
    NetDevHandle& operator=(NetDevHandle const&) = delete;
    ~NetDevHandle() { unregister(); }

    void unregister();   // Context: thread. Locking: none held.
    NetDevice* device() const { return m_device; }
    explicit operator bool() const { return m_device != nullptr; }

private:
    NetDevice* m_device { nullptr };   // holds one reference
};

// Registers an interface; it starts down (netdev::up brings it up). Interface indexes count from
// 1 in registration order and are never reused. Errors: EINVAL (bad name, null xmit, MTU below 68), ENAMETOOLONG,
// EEXIST (the name is taken), ENOMEM. Context: thread. Locking: none held.
[[nodiscard]] ErrorOr<NetDevHandle> register_netdev(StringView name, NetDevOps const& ops,
    NetDevConfig const& config = {}, void* data = nullptr);

}

namespace netdev {

using dev::NetDevice;
using dev::NetDevOps;
using dev::Packet;

// Calls ops.open and marks the interface up; no-op when already up. Errors: ENODEV
// (unregistered), or open's. Context: thread. Locking: takes the interface's state mutex.
[[nodiscard]] ErrorOr<void> up(NetDevice& device);
// Marks the interface down and calls ops.stop; no-op when down. Context: thread. Locking: as up.
void down(NetDevice& device);

// Sends one frame. Errors: ENODEV (unregistered), ENETDOWN (brought down, or no carrier: the
// link is down), EINVAL (empty), EMSGSIZE (larger than header + MTU), or xmit's error:
// EBUSY/ENOBUFS count as tx_dropped, anything else as tx_errors. The packet is consumed either way.
// Context: thread or tasklet. Locking: none of the driver's.
[[nodiscard]] ErrorOr<void> transmit(NetDevice& device, OwnPtr<Packet> packet);

// For drivers: a frame arrived. Counts it, reads its EtherType, and hands it to the protocol
// handler for that type, or queues it for read_packet. Counted as rx_dropped (and freed) when the
// queue is full or the interface is down; a frame shorter than an Ethernet header is an rx_error.
// Context: tasklet (NAPI poll), work item or thread; not a top half (it may free the packet).
// Locking: none of the driver's that a protocol handler might need.
void receive(NetDevice& device, OwnPtr<Packet> packet);
// For drivers: the link went down or came up (a NIC's link status change interrupt). While the
// carrier is off, transmit() answers ENETDOWN; the interface stays up, so traffic resumes as soon
// as the link does, without anyone bringing it up again. Context: thread or tasklet.
void set_carrier(NetDevice& device, bool carrier);
// Frames the driver has received and not yet handed up (NetDevOps::rx_pending). Context: any.
usize rx_pending(NetDevice& device);
// For drivers: count a frame lost to a hardware error (bad CRC, TX underrun). Context: any.
void count_rx_error(NetDevice& device);
void count_tx_error(NetDevice& device);

// The oldest queued frame, sleeping up to `timeout_ns` for one (0: do not sleep).
// Errors: EAGAIN (timeout 0 and the queue is empty), ETIMEDOUT, ENODEV. Context: thread.
[[nodiscard]] ErrorOr<OwnPtr<Packet>> read_packet(NetDevice& device, u64 timeout_ns);

// An interface by name. Errors: ENOENT. Context: thread.
[[nodiscard]] ErrorOr<dev::Ref<NetDevice>> find(StringView name);
// Calls fn for every interface, in ifindex order, with the registry lock held. Context: thread.
void for_each(void (*fn)(NetDevice& device, void* ctx), void* ctx);

// Protocol handlers (Linux's dev_add_pack): frames of one EtherType go to `handler` instead of
// the RX queue. The handler owns the packet and runs in the receiving driver's context (often a
// tasklet): it must not sleep. The returned handle unregisters on destruction, waiting for
// handler calls in progress.
using ProtocolHandler = void (*)(NetDevice& device, OwnPtr<Packet> packet, void* ctx);
class ProtocolHandle {
public:
    ProtocolHandle() = default;
    explicit ProtocolHandle(usize slot) : m_slot(slot) {}
    ProtocolHandle(ProtocolHandle&& other) : m_slot(kstd::exchange(other.m_slot, NONE)) {}
    ProtocolHandle& operator=(ProtocolHandle&& other);
    ProtocolHandle(ProtocolHandle const&) = delete;
    ProtocolHandle& operator=(ProtocolHandle const&) = delete;
    ~ProtocolHandle() { unregister(); }
    void unregister();   // Context: thread.

private:
    static constexpr usize NONE = ~usize(0);
    usize m_slot { NONE };
};
// Errors: EBUSY (that EtherType has a handler), ENOSPC (table full), EINVAL (null handler).
// Context: thread.
[[nodiscard]] ErrorOr<ProtocolHandle> register_protocol(u16 ethertype, ProtocolHandler handler, void* ctx);

// The defaults for null entries (xmit stays null: refused at registration). Portable.
NetDevOps with_defaults(NetDevOps const& ops);
ErrorOr<void> default_open(NetDevice& device);
void default_stop(NetDevice& device);
usize default_rx_pending(NetDevice& device);

}
