// The host twin of kernel/dev/packet.cpp: packet buffers come from the models' physical memory
// (phys_memory.h), so that a driver under test can map them for DMA as it would in the kernel
// (host heap memory has no physical address, and the DMA API refuses it).
#include "phys_memory.h"
#include <kernel/dev/packet.h>
#include <cstring>

namespace dev {

ErrorOr<OwnPtr<Packet>> Packet::create(usize capacity, usize alignment)
{
    if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > models::PhysMemory::PAGE)
        return Error::from_errno(EINVAL);
    auto* storage = static_cast<u8*>(models::phys_memory().allocate(capacity ? capacity : 1));
    if (!storage)
        return Error::from_errno(ENOMEM);
    auto* packet = new (kstd::nothrow) Packet(storage, capacity, alignment);
    if (!packet) {
        models::phys_memory().free(storage);
        return Error::from_errno(ENOMEM);
    }
    return OwnPtr<Packet>(packet);
}

ErrorOr<OwnPtr<Packet>> Packet::copy_of(ReadonlyBytes bytes)
{
    auto packet = TRY(create(bytes.size() ? bytes.size() : 1));
    std::memcpy(packet->m_storage, bytes.data(), bytes.size());
    packet->m_size = bytes.size();
    return packet;
}

Packet::~Packet() { models::phys_memory().free(m_storage); }

ErrorOr<void> Packet::set_size(usize size)
{
    if (size > m_capacity)
        return Error::from_errno(EMSGSIZE);
    m_size = size;
    return {};
}

}
