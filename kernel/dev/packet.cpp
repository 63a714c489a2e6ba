// Packets (include/kernel/dev/packet.h): a fixed-capacity heap buffer and its length.
#include <kernel/dev/packet.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace dev {

ErrorOr<OwnPtr<Packet>> Packet::create(usize capacity)
{
    auto* storage = new (kstd::nothrow) u8[capacity];
    if (!storage)
        return Error::from_errno(ENOMEM);
    auto* packet = new (kstd::nothrow) Packet(storage, capacity);
    if (!packet) {
        delete[] storage;
        return Error::from_errno(ENOMEM);
    }
    return OwnPtr<Packet>(packet);
}

ErrorOr<OwnPtr<Packet>> Packet::copy_of(ReadonlyBytes bytes)
{
    auto packet = TRY(create(kstd::max<usize>(bytes.size(), 1)));
    memcpy(packet->m_storage, bytes.data(), bytes.size());
    packet->m_size = bytes.size();
    return packet;
}

Packet::~Packet() { delete[] m_storage; }

ErrorOr<void> Packet::set_size(usize size)
{
    if (size > m_capacity)
        return Error::from_errno(EMSGSIZE);
    m_size = size;
    return {};
}

}
