#pragma once
// Packets: the unit the network class moves (include/kernel/dev/netdev.h), and the Ethernet
// vocabulary around it.
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/span.h>
#include <kstd/types.h>
#include <kstd/unique_ptr.h>

namespace dev {

struct MacAddress {
    u8 bytes[6] {};
    constexpr bool operator==(MacAddress const&) const = default;
};

inline constexpr usize ETHERNET_HEADER_SIZE = 14;   // destination, source, EtherType
inline constexpr usize DEFAULT_MTU = 1500;

// One frame in a heap buffer of fixed capacity (a much reduced sk_buff). A Packet has one owner
// at a time, passed along as OwnPtr<Packet>: the sender, then the driver's ring, then the
// receiver. Context: create and destroy in thread or tasklet context (never a top half).
class Packet {
public:
    // Errors: ENOMEM; EINVAL when `alignment` is not a power of two. The packet starts empty
    // (size 0). `alignment` places the buffer so that a driver can hand it to a device as one
    // DMA segment: a 2048-byte buffer aligned to 2048 never crosses a page, so the DMA API maps
    // it without bouncing.
    [[nodiscard]] static ErrorOr<OwnPtr<Packet>> create(usize capacity = ETHERNET_HEADER_SIZE + DEFAULT_MTU,
                                                        usize alignment = 16);
    // A packet holding a copy of `bytes`.
    [[nodiscard]] static ErrorOr<OwnPtr<Packet>> copy_of(ReadonlyBytes bytes);
    ~Packet();
    Packet(Packet const&) = delete;
    Packet& operator=(Packet const&) = delete;

    Bytes data() { return { m_storage, m_size }; }
    ReadonlyBytes data() const { return { m_storage, m_size }; }
    usize size() const { return m_size; }
    usize capacity() const { return m_capacity; }
    // The whole buffer, for a driver receiving a frame into it; then set_size().
    Bytes storage() { return { m_storage, m_capacity }; }
    // Errors: EMSGSIZE above capacity().
    [[nodiscard]] ErrorOr<void> set_size(usize size);
    // EtherType of the frame (0 when shorter than a header). Set by netdev::receive.
    u16 protocol() const { return m_protocol; }
    void set_protocol(u16 protocol) { m_protocol = protocol; }

    IntrusiveListNode queue_link;   // for whichever queue currently owns the packet

private:
    Packet(u8* storage, usize capacity, usize alignment)
        : m_storage(storage), m_capacity(capacity), m_alignment(alignment) {}
    u8* m_storage;
    usize m_capacity;
    usize m_alignment;
    usize m_size { 0 };
    u16 m_protocol { 0 };
};

}
