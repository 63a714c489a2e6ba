// Streaming DMA mappings (include/kernel/io/dma.h): single and scatter-gather, the syncs, and
// unmapping. The decisions come from the portable planner (dma_plan.cpp); this file applies
// them: bounce slots, copies, and the registry.
#include "dma_internal.h"
#include <kernel/mm/layout.h>
#include <kstd/new.h>
#include <kstd/unique_ptr.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace io {

using detail::CopyTo;
using detail::DmaKind;
using detail::DmaRecord;

namespace {

ErrorOr<OwnPtr<DmaRecord>> make_record(DmaKind kind, Bytes buffer, Direction direction)
{
    auto record = TRY(kstd::make<DmaRecord>());
    record->kind = kind;
    record->direction = direction;
    record->cpu = buffer.data();
    record->length = buffer.size();
    record->segments = &record->inline_segment;
    record->segment_count = 1;
    return record;
}

void release_bounces(DmaRecord& record, usize count)
{
    for (usize i = 0; i < count; ++i) {
        if (record.segments[i].bounced())
            detail::bounce_free(record.segments[i].bus_address, record.segments[i].length);
    }
}

// Gives every segment the planner marked a bounce slot that obeys the same constraints, then
// fills the slots. The copy happens for FromDevice too: if the device writes less than the
// whole buffer, unmap copies the slot back in full, and it must not carry another mapping's
// old bytes into this buffer.
ErrorOr<void> place_bounces(DmaRecord& record, DmaConstraints const& constraints)
{
    for (usize i = 0; i < record.segment_count; ++i) {
        DmaSegment& segment = record.segments[i];
        if (!segment.bounced())
            continue;
        auto slot = detail::bounce_allocate(segment.length, constraints);
        if (slot.is_error()) {
            release_bounces(record, i);
            return slot.release_error();
        }
        segment.bus_address = slot.value();
    }
    detail::copy_bounced(record, 0, DMA_WHOLE, CopyTo::Device);
    return {};
}

bool range_ok(DmaRecord const& record, usize offset, usize length)
{
    if (offset > record.length)
        return false;
    return length == DMA_WHOLE || length <= record.length - offset;
}

bool is_live(DmaRecord const* record) { return record && record->magic == DmaRecord::LIVE; }

}

ErrorOr<DmaMapping> dma_map(dev::Device& device, Bytes buffer, Direction direction, u64 alignment)
{
    if (buffer.empty() || !kstd::is_power_of_two(alignment))
        return Error::from_errno(EINVAL);
    TRY(detail::ensure_initialized());
    DmaConstraints constraints = detail::constraints_of(device);
    constraints.alignment = alignment;
    PhysChunk first {};
    BounceReason reason = TRY(plan_single(reinterpret_cast<u64>(buffer.data()), buffer.size(),
        detail::kernel_translator(), constraints, first));
    // One bounce slot cannot cross the boundary either: such a buffer needs dma_map_sg.
    if (reason != BounceReason::None && constraints.boundary != 0 && buffer.size() > constraints.boundary)
        return Error::from_errno(EINVAL);
    auto record = TRY(make_record(DmaKind::Single, buffer, direction));
    record->mapped_by = __builtin_return_address(0);
    record->inline_segment = DmaSegment { first.phys, buffer.size(), 0, first.phys, reason };
    TRY(place_bounces(*record, constraints));
    detail::register_record(*record, device);
    return DmaMapping(record.leak_ptr());
}

ErrorOr<DmaSgList> dma_map_sg(dev::Device& device, Bytes buffer, Direction direction, DmaSgOptions const& options)
{
    if (buffer.empty() || !kstd::is_power_of_two(options.alignment))
        return Error::from_errno(EINVAL);
    TRY(detail::ensure_initialized());
    DmaConstraints constraints = detail::constraints_of(device);
    constraints.max_segment = options.max_segment;
    constraints.alignment = options.alignment;
    u64 virt = reinterpret_cast<u64>(buffer.data());
    usize count = TRY(plan_segments(virt, buffer.size(), detail::kernel_translator(), constraints, nullptr, 0));
    if (options.max_segments != 0 && count > options.max_segments)
        return Error::from_errno(E2BIG);

    auto record = TRY(make_record(DmaKind::ScatterGather, buffer, direction));
    record->mapped_by = __builtin_return_address(0);
    if (count > 1) {
        record->segments = new (kstd::nothrow) DmaSegment[count];
        if (!record->segments)
            return Error::from_errno(ENOMEM);
    }
    record->segment_count = count;
    // The buffer's pages cannot change between the two passes unless the caller frees it
    // meanwhile, which is a bug of the caller's: refuse rather than map garbage.
    usize planned = TRY(plan_segments(virt, buffer.size(), detail::kernel_translator(), constraints,
        record->segments, count));
    if (planned != count)
        return Error::from_errno(EINVAL);
    TRY(place_bounces(*record, constraints));
    detail::register_record(*record, device);
    return DmaSgList(record.leak_ptr());
}

ErrorOr<void> dma_unmap(dev::Device& device, DmaHandle& handle)
{
    return handle.unmap_checked(&device, __builtin_return_address(0));
}

// ---- DmaHandle ---------------------------------------------------------------------------

DmaHandle::DmaHandle(DmaHandle&& other) : m_record(kstd::exchange(other.m_record, nullptr)) {}

DmaHandle& DmaHandle::operator=(DmaHandle&& other)
{
    if (this != &other) {
        if (m_record)
            (void)unmap_checked(nullptr, __builtin_return_address(0));
        m_record = kstd::exchange(other.m_record, nullptr);
    }
    return *this;
}

DmaHandle::~DmaHandle()
{
    if (m_record)
        (void)unmap_checked(nullptr, __builtin_return_address(0));
}

usize DmaHandle::length() const { return m_record ? m_record->length : 0; }
Direction DmaHandle::direction() const { return m_record ? m_record->direction : Direction::Bidirectional; }

Span<DmaSegment const> DmaHandle::segments() const
{
    if (!m_record)
        return {};
    return { m_record->segments, m_record->segment_count };
}

bool DmaHandle::is_bounced() const
{
    for (auto const& segment : segments()) {
        if (segment.bounced())
            return true;
    }
    return false;
}

u64 DmaMapping::bus_address() const { return m_record ? m_record->segments[0].bus_address : 0; }

ErrorOr<void> DmaHandle::sync_for_cpu(usize offset, usize length)
{
    if (!is_live(m_record) || !range_ok(*m_record, offset, length)) {
        detail::count_bad_sync("sync_for_cpu", __builtin_return_address(0));
        return Error::from_errno(EINVAL);
    }
    if (m_record->direction != Direction::ToDevice)
        detail::copy_bounced(*m_record, offset, length, CopyTo::Cpu);
    dma_rmb();   // the CPU reads the buffer only after this point
    return {};
}

ErrorOr<void> DmaHandle::sync_for_device(usize offset, usize length)
{
    if (!is_live(m_record) || !range_ok(*m_record, offset, length)) {
        detail::count_bad_sync("sync_for_device", __builtin_return_address(0));
        return Error::from_errno(EINVAL);
    }
    if (m_record->direction != Direction::FromDevice)
        detail::copy_bounced(*m_record, offset, length, CopyTo::Device);
    dma_wmb();   // the buffer (or slot) is written before the driver tells the device
    return {};
}

ErrorOr<void> DmaHandle::unmap() { return unmap_checked(nullptr, __builtin_return_address(0)); }

ErrorOr<void> DmaHandle::unmap_checked(dev::Device const* expected, void const* caller)
{
    TRY(detail::unregister_record(m_record, expected, "unmap", caller));
    DmaRecord* record = kstd::exchange(m_record, nullptr);
    if (record->direction != Direction::ToDevice)
        detail::copy_bounced(*record, 0, DMA_WHOLE, CopyTo::Cpu);
    release_bounces(*record, record->segment_count);
    detail::destroy_record(record);
    return {};
}

}
