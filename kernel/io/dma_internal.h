#pragma once
// Shared between the DMA API's files (not a public interface): the record every live mapping
// and coherent buffer has in the registry, and the registry's operations.
#include <kernel/dev/device.h>
#include <kernel/io/dma.h>
#include <kstd/intrusive_list.h>

namespace io::detail {

enum class DmaKind : u8 { Single, ScatterGather, Coherent };

struct DmaRecord {
    static constexpr u32 LIVE = 0x444d4131;   // "DMA1": cleared before the record is freed

    u32 magic { LIVE };
    u32 id { 0 };
    DmaKind kind { DmaKind::Single };
    Direction direction { Direction::Bidirectional };
    dev::Device* device { nullptr };   // nullptr once dma_report_leaks detached it
    char device_name[32] {};           // kept for reports after the device is gone
    u8* cpu { nullptr };               // the mapped buffer, or the coherent memory
    usize length { 0 };
    DmaSegment* segments { nullptr };  // &inline_segment, or a heap array (scatter-gather)
    usize segment_count { 0 };
    DmaSegment inline_segment {};
    usize frames { 0 };                // coherent: contiguous frames allocated
    mm::CachePolicy policy { mm::CachePolicy::WriteBack };
    void const* mapped_by { nullptr };   // return address in the driver, for reports
    IntrusiveListNode node;            // on the registry, guarded by the DMA lock

    DmaRecord() = default;
    DmaRecord(DmaRecord const&) = delete;
    DmaRecord& operator=(DmaRecord const&) = delete;
    ~DmaRecord()
    {
        if (segments && segments != &inline_segment)
            delete[] segments;
    }

    bool is_streaming() const { return kind != DmaKind::Coherent; }
};

// The device's limits as the planner wants them.
DmaConstraints constraints_of(dev::Device const& device);
// The kernel's translator for plan_single/plan_segments (mm::translate).
Translator kernel_translator();

// Links a filled record: assigns its id, counts it, bumps the device's live mapping count.
void register_record(DmaRecord& record, dev::Device& device);
// Unlinks `record` if it is live (and belongs to `expected`, unless that is null). Otherwise
// EINVAL, a log line naming `what`, and a bad-unmap count; the record is left untouched.
// `caller` is the driver's return address, for the log line.
[[nodiscard]] ErrorOr<void> unregister_record(DmaRecord* record, dev::Device const* expected, char const* what,
    void const* caller);
// Frees a record that is no longer registered (its destructor frees the segment array).
void destroy_record(DmaRecord* record);

// Bounce slots for one segment / back to the pool (under the DMA lock). allocate counts a
// bounce, or a bounce failure.
[[nodiscard]] ErrorOr<u64> bounce_allocate(u64 length, DmaConstraints const& constraints);
void bounce_free(u64 phys, u64 length);

enum class CopyTo : u8 { Device, Cpu };
// Copies the bounced segments' bytes within [offset, offset + length) of the buffer in one
// direction and counts them. Returns the bytes copied.
u64 copy_bounced(DmaRecord const& record, usize offset, usize length, CopyTo to);

void count_bad_sync(char const* what, void const* caller);
[[nodiscard]] ErrorOr<void> ensure_initialized();

}
