#pragma once
// The I/O manager's reservation structure: a conflict-checked set of address ranges (one for
// port space, one for physical MMIO space). Portable, so the host unit tests exercise it.
//
// A sorted intrusive list: reservations are few (tens on a PC), conflict checks walk only the
// nodes that start before the new range ends, and the listing order of `ioports`/`iomem`
// falls out for free. A balanced tree would pay off only with thousands of entries.
//
// The set never allocates: callers own the Resource nodes (the I/O manager allocates them on
// the heap for driver handles and keeps static ones for the boot reservations).
// Context: any. Locking: none inside; the I/O manager guards both sets with its mutex.
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace io::detail {

struct Resource {
    static constexpr usize OWNER_CAPACITY = 32;

    u64 start { 0 };
    u64 length { 0 };
    bool shared { false };
    // Shared reservations overlap only shared ones with the same tag (MMIO: the cache policy;
    // ports: always 0).
    u8 tag { 0 };
    bool fixed { false };    // a boot reservation (reserve_fixed_ranges)
    char owner[OWNER_CAPACITY] {};
    u64 virt { 0 };          // MMIO mapped by the I/O manager: virtual address of `start`
    IntrusiveListNode node;

    u64 end() const { return start + length; }   // exclusive
    bool overlaps(u64 other_start, u64 other_length) const
    {
        return start < other_start + other_length && other_start < end();
    }
};

// Copies `owner` into the node, truncating to fit; nullptr becomes "?".
void set_owner(Resource& resource, char const* owner);

class RangeSet {
public:
    // Every range must lie inside [0, limit): 0x10000 for ports, 2^52 for physical memory.
    explicit RangeSet(u64 limit) : m_limit(limit) {}

    // Links `resource` in address order. EINVAL: zero length or outside [0, limit);
    // EBUSY: it overlaps a reservation it may not share (find_conflict names which one).
    [[nodiscard]] ErrorOr<void> insert(Resource& resource);
    // Unlinks a node previously inserted into this set (VERIFY otherwise).
    void remove(Resource& resource);

    // The first reservation a new range [start, start + length) would conflict with.
    Resource const* find_conflict(u64 start, u64 length, bool shared, u8 tag) const;
    // The first reservation (in listing order) containing `address`, or nullptr.
    Resource* find_containing(u64 address) const;
    // The reservation starting at `start` whose owner is `owner`, or nullptr.
    Resource* find(u64 start, char const* owner) const;

    bool contains(Resource const& resource) const { return m_list.contains(resource); }
    usize size() const { return m_list.size(); }
    u64 limit() const { return m_limit; }

    // Visits every reservation in order: by start address, then the longer (enclosing) first,
    // then in insertion order.
    template<typename Visit>
    void for_each(Visit&& visit) const
    {
        for (auto& resource : m_list)
            visit(static_cast<Resource const&>(resource));
    }

private:
    IntrusiveList<Resource, &Resource::node> m_list;
    u64 m_limit;
};

}
