// Packets (include/kernel/dev/packet.h): a fixed-capacity heap buffer and its length.
#include <kernel/dev/packet.h>
#include <kstd/new.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace dev {

namespace {

void free_storage(u8* storage, usize alignment)
{
    ::operator delete[](storage, kstd::AlignVal(alignment));
}

}

ErrorOr<OwnPtr<Packet>> Packet::create(usize capacity, usize alignment)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0)
        return Error::from_errno(EINVAL);
    auto* storage = new (kstd::AlignVal(alignment), kstd::nothrow) u8[capacity];
    if (!storage)
        return Error::from_errno(ENOMEM);
    auto* packet = new (kstd::nothrow) Packet(storage, capacity, alignment);
    if (!packet) {
        free_storage(storage, alignment);
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

Packet::~Packet() { free_storage(m_storage, m_alignment); }

ErrorOr<void> Packet::set_size(usize size)
{
    if (size > m_capacity)
        return Error::from_errno(EMSGSIZE);
    m_size = size;
    return {};
}

}
