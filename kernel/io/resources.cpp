// The I/O manager's reservations and the handles drivers hold (include/kernel/io/io.h): two
// conflict-checked range sets, one for port space and one for physical MMIO space.
//
// Locking: one mutex for both sets. Reservations happen in probe/remove (threads), and MMIO
// mapping may allocate page tables, so nothing here runs in IRQ or tasklet context and a
// sleeping lock lets the listings print while holding it.
#include "internal.h"
#include <kernel/io/io.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace io {

using detail::Resource;

namespace {

constexpr u64 PORT_LIMIT = 0x10000;
constexpr u64 PHYS_LIMIT = 1ull << 52;   // MAXPHYADDR is at most 52 bits on x86_64

sched::Mutex g_lock { "io resources" };
detail::RangeSet g_ports { PORT_LIMIT };   // Guarded by g_lock
detail::RangeSet g_mmio { PHYS_LIMIT };    // Guarded by g_lock

void report_busy(char const* space, Resource const& wanted, Resource const& holder)
{
    log_warn("io: %s %#lx-%#lx for '%s' busy: held by '%s'%s\n", space, wanted.start, wanted.end() - 1,
             wanted.owner, holder.owner, holder.shared ? " (shared)" : "");
}

// Inserts under the lock, logging the holder on EBUSY.
ErrorOr<void> insert(detail::RangeSet& set, Resource& resource, char const* space)
{
    sched::MutexGuard guard(g_lock);
    auto result = set.insert(resource);
    if (result.is_error() && result.error().code() == EBUSY) {
        if (auto const* holder = set.find_conflict(resource.start, resource.length, resource.shared, resource.tag))
            report_busy(space, resource, *holder);
    }
    return result;
}

void remove_and_free(detail::RangeSet& set, Resource* resource)
{
    {
        sched::MutexGuard guard(g_lock);
        set.remove(*resource);
    }
    delete resource;
}

ErrorOr<OwnPtr<Resource>> make_resource(u64 start, u64 length, char const* owner, Sharing sharing, u8 tag)
{
    auto resource = TRY(kstd::make<Resource>());
    resource->start = start;
    resource->length = length;
    resource->shared = sharing == Sharing::Shared;
    resource->tag = tag;
    detail::set_owner(*resource, owner);
    return resource;
}

usize list(detail::RangeSet const& set, Span<ResourceInfo> out)
{
    sched::MutexGuard guard(g_lock);
    usize count = 0;
    set.for_each([&](Resource const& resource) {
        if (count < out.size())
            out[count] = detail::info_of(resource);
        ++count;
    });
    return count;
}

}

namespace detail {

ErrorOr<void> insert_fixed(Space space, Resource& resource)
{
    return insert(space == Space::Ports ? g_ports : g_mmio, resource, space == Space::Ports ? "ports" : "iomem");
}

ErrorOr<void> remove_fixed_ports(u16 base, char const* owner)
{
    sched::MutexGuard guard(g_lock);
    Resource* resource = g_ports.find(base, owner);
    if (!resource || !resource->fixed)
        return Error::from_errno(ENOENT);
    g_ports.remove(*resource);
    return {};
}

ResourceInfo info_of(Resource const& resource)
{
    ResourceInfo info {};
    info.start = resource.start;
    info.length = resource.length;
    kstd::copy_string(info.owner, sizeof(info.owner), kstd::StringView(resource.owner));
    info.sharing = resource.shared ? Sharing::Shared : Sharing::Exclusive;
    info.fixed = resource.fixed;
    info.mapped = resource.virt != 0;
    info.policy = CachePolicy(resource.tag);
    info.virt = resource.virt;
    return info;
}

}

ErrorOr<PortRange> reserve_ports(u16 base, u16 length, char const* owner, Sharing sharing)
{
    if (length == 0 || u64(base) + length > PORT_LIMIT)
        return Error::from_errno(EINVAL);
    auto resource = TRY(make_resource(base, length, owner, sharing, 0));
    TRY(insert(g_ports, *resource, "ports"));
    return PortRange(resource.leak_ptr());
}

ErrorOr<MmioRegion> map_mmio(u64 phys, usize length, CachePolicy policy, char const* owner, Sharing sharing)
{
    if (length == 0 || phys >= PHYS_LIMIT || length > PHYS_LIMIT - phys)
        return Error::from_errno(EINVAL);
    auto resource = TRY(make_resource(phys, length, owner, sharing, u8(policy)));
    TRY(insert(g_mmio, *resource, "iomem"));
    // Mapped outside the lock: mm::map_mmio may allocate page-table frames. The range is
    // reserved meanwhile, so nobody else can map it with another type.
    auto virt = mm::map_mmio(phys, length, policy);
    if (virt.is_error()) {
        remove_and_free(g_mmio, resource.leak_ptr());
        return virt.release_error();
    }
    resource->virt = virt.value();
    return MmioRegion(resource.leak_ptr());
}

usize list_ports(Span<ResourceInfo> out) { return list(g_ports, out); }
usize list_mmio(Span<ResourceInfo> out) { return list(g_mmio, out); }

// /proc/ioports style: "03f8-03ff : early console  [shared, boot]".
void dump_ports()
{
    sched::MutexGuard guard(g_lock);
    kprint("%zu port reservations\n", g_ports.size());
    g_ports.for_each([](Resource const& resource) {
        kprint("  %04lx-%04lx : %s%s%s\n", resource.start, resource.end() - 1, resource.owner,
               resource.shared ? "  [shared]" : "", resource.fixed ? "  [boot]" : "");
    });
}

// /proc/iomem style, plus the cache policy and virtual address of ranges mapped here.
void dump_mmio()
{
    sched::MutexGuard guard(g_lock);
    kprint("%zu MMIO reservations\n", g_mmio.size());
    g_mmio.for_each([](Resource const& resource) {
        kprint("  %08lx-%08lx : %s%s%s", resource.start, resource.end() - 1, resource.owner,
               resource.shared ? "  [shared]" : "", resource.fixed ? "  [boot]" : "");
        if (resource.virt)
            kprint("  (%s at %#lx)", mm::cache_policy_name(CachePolicy(resource.tag)), resource.virt);
        kprint("\n");
    });
}

// ---- PortRange ---------------------------------------------------------------------------

PortRange::PortRange(PortRange&& other) : m_resource(kstd::exchange(other.m_resource, nullptr)) {}

PortRange& PortRange::operator=(PortRange&& other)
{
    if (this != &other) {
        release();
        m_resource = kstd::exchange(other.m_resource, nullptr);
    }
    return *this;
}

PortWindow PortRange::window() const
{
    VERIFY(m_resource);
    return PortWindow(u16(m_resource->start), u16(m_resource->length));
}

u16 PortRange::base() const { return m_resource ? u16(m_resource->start) : 0; }
u16 PortRange::length() const { return m_resource ? u16(m_resource->length) : 0; }
char const* PortRange::owner() const { return m_resource ? m_resource->owner : ""; }

void PortRange::release()
{
    if (Resource* resource = kstd::exchange(m_resource, nullptr))
        remove_and_free(g_ports, resource);
}

// ---- MmioRegion --------------------------------------------------------------------------

MmioRegion::MmioRegion(MmioRegion&& other) : m_resource(kstd::exchange(other.m_resource, nullptr)) {}

MmioRegion& MmioRegion::operator=(MmioRegion&& other)
{
    if (this != &other) {
        release();
        m_resource = kstd::exchange(other.m_resource, nullptr);
    }
    return *this;
}

MmioWindow MmioRegion::window() const
{
    VERIFY(m_resource);
    return MmioWindow(m_resource->virt, m_resource->length);
}

u64 MmioRegion::phys() const { return m_resource ? m_resource->start : 0; }
usize MmioRegion::length() const { return m_resource ? m_resource->length : 0; }
u64 MmioRegion::virt() const { return m_resource ? m_resource->virt : 0; }
CachePolicy MmioRegion::policy() const { return m_resource ? CachePolicy(m_resource->tag) : CachePolicy::Uncached; }
char const* MmioRegion::owner() const { return m_resource ? m_resource->owner : ""; }

void MmioRegion::release()
{
    Resource* resource = kstd::exchange(m_resource, nullptr);
    if (!resource)
        return;
    // Unmap first: once the range is free another driver may map it with another type.
    if (auto result = mm::unmap_mmio(resource->virt); result.is_error())
        log_error("io: unmapping '%s' at %#lx failed: %s\n", resource->owner, resource->virt, result.error().name());
    remove_and_free(g_mmio, resource);
}

}
