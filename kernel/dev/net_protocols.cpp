// Protocol handlers: which code receives frames of which EtherType (Linux's dev_add_pack and
// ptype_base). A small fixed table; lab 7 registers ARP (0x0806) and IPv4 (0x0800) here.
//
// Handlers run in the receiving driver's context, outside the table lock, so a slot counts the
// calls in progress and unregistering waits for them: after unregister() returns, the handler is
// never called again and its context may be freed.
#include "net_internal.h"
#include <kernel/dev/netdev.h>
#include <kernel/sched/sync.h>
#include <kstd/enforce.h>

namespace netdev {

namespace {

struct Slot {
    bool used { false };
    bool dying { false };   // unregistering: no new calls
    u16 ethertype { 0 };
    ProtocolHandler handler { nullptr };
    void* ctx { nullptr };
    u32 active { 0 };       // calls in progress
};

constexpr usize MAX_PROTOCOLS = 8;

sched::Spinlock g_lock { "net-protocols" };
Slot g_slots[MAX_PROTOCOLS];   // Guarded by g_lock
sched::WaitQueue g_idle;       // unregister waits here for active == 0

}

ErrorOr<ProtocolHandle> register_protocol(u16 ethertype, ProtocolHandler handler, void* ctx)
{
    if (!handler)
        return Error::from_errno(EINVAL);
    sched::SpinlockGuard guard(g_lock);
    Slot* free_slot = nullptr;
    for (auto& slot : g_slots) {
        if (slot.used && slot.ethertype == ethertype)
            return Error::from_errno(EBUSY);
        if (!slot.used && !free_slot)
            free_slot = &slot;
    }
    if (!free_slot)
        return Error::from_errno(ENOSPC);
    *free_slot = Slot { true, false, ethertype, handler, ctx, 0 };
    return ProtocolHandle(usize(free_slot - g_slots));
}

ProtocolHandle& ProtocolHandle::operator=(ProtocolHandle&& other)
{
    if (this != &other) {
        unregister();
        m_slot = kstd::exchange(other.m_slot, NONE);
    }
    return *this;
}

void ProtocolHandle::unregister()
{
    usize index = kstd::exchange(m_slot, NONE);
    if (index == NONE)
        return;
    Slot& slot = g_slots[index];
    {
        sched::SpinlockGuard guard(g_lock);
        slot.dying = true;
    }
    g_idle.wait_event([&slot] { return slot.active == 0; });
    sched::SpinlockGuard guard(g_lock);
    slot = Slot {};
}

namespace internal {

bool deliver_to_protocol(NetDevice& device, u16 ethertype, OwnPtr<Packet>& packet)
{
    Slot* found = nullptr;
    {
        sched::SpinlockGuard guard(g_lock);
        for (auto& slot : g_slots) {
            if (slot.used && !slot.dying && slot.ethertype == ethertype) {
                found = &slot;
                ++slot.active;
                break;
            }
        }
    }
    if (!found)
        return false;
    found->handler(device, kstd::move(packet), found->ctx);
    sched::SpinlockGuard guard(g_lock);
    if (--found->active == 0 && found->dying)
        g_idle.wake_all();
    return true;
}

}

}
