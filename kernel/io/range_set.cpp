// The conflict-checked range set behind `ioports` and `iomem` (see range_set.h).
#include "range_set.h"
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace io::detail {

namespace {

// Listing order: start ascending, then end descending so an enclosing shared range comes
// before the ranges inside it.
bool goes_before(Resource const& a, Resource const& b)
{
    if (a.start != b.start)
        return a.start < b.start;
    return a.end() > b.end();
}

bool may_share(Resource const& existing, bool shared, u8 tag)
{
    return shared && existing.shared && existing.tag == tag;
}

}

void set_owner(Resource& resource, char const* owner)
{
    kstd::copy_string(resource.owner, sizeof(resource.owner), kstd::StringView(owner ? owner : "?"));
}

Resource const* RangeSet::find_conflict(u64 start, u64 length, bool shared, u8 tag) const
{
    u64 end = start + length;
    for (auto& existing : m_list) {
        if (existing.start >= end)
            break;   // sorted by start: nothing further can overlap
        if (existing.overlaps(start, length) && !may_share(existing, shared, tag))
            return &existing;
    }
    return nullptr;
}

ErrorOr<void> RangeSet::insert(Resource& resource)
{
    if (resource.length == 0 || resource.start >= m_limit || resource.length > m_limit - resource.start)
        return Error::from_errno(EINVAL);
    if (find_conflict(resource.start, resource.length, resource.shared, resource.tag))
        return Error::from_errno(EBUSY);
    for (auto& existing : m_list) {
        if (goes_before(resource, existing)) {
            m_list.insert_before(existing, resource);
            return {};
        }
    }
    m_list.push_back(resource);
    return {};
}

void RangeSet::remove(Resource& resource)
{
    VERIFY(m_list.contains(resource));
    m_list.remove(resource);
}

Resource* RangeSet::find_containing(u64 address) const
{
    for (auto& existing : m_list) {
        if (existing.start > address)
            break;
        if (address < existing.end())
            return &existing;
    }
    return nullptr;
}

Resource* RangeSet::find(u64 start, char const* owner) const
{
    for (auto& existing : m_list) {
        if (existing.start > start)
            break;
        if (existing.start == start && kstd::StringView(existing.owner) == kstd::StringView(owner ? owner : "?"))
            return &existing;
    }
    return nullptr;
}

}
