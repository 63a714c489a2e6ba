// The DMA API's shared state: the bounce pool, the registry of live mappings and coherent
// buffers, the counters, and what reads them (leak reports, the free-while-mapped hooks, the
// `dma` monitor command).
//
// Locking: one spinlock. Streaming mappings are made and synced from tasklets too (NAPI refills
// an RX ring there), so a sleeping lock would not do. Critical sections are list and bitmap
// operations; copies and printing happen outside it.
#include "dma_internal.h"
#include <kernel/mm/frames.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kernel/symbols.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace io {

using detail::DmaKind;
using detail::DmaRecord;

namespace {

// 512 KiB below 16 MiB: enough for an IDE transfer of 128 sectors in flight several times over,
// and reachable by every mask a PC device has (ISA DMA: 24 bits). 64 KiB alignment keeps whole
// pool chunks inside 64 KiB boundary lines.
constexpr u64 POOL_BYTES = 512 * KiB;
constexpr u64 POOL_ALIGN = 64 * KiB;
constexpr usize MAX_LISTED = 16;

sched::Spinlock g_lock { "dma" };
BouncePool g_pool;                                      // Guarded by g_lock
IntrusiveList<DmaRecord, &DmaRecord::node> g_records;   // Guarded by g_lock
DmaStats g_stats {};                                    // Guarded by g_lock
u32 g_next_id = 1;                                      // Guarded by g_lock
bool g_initialized = false;

// Where the live streaming mappings lie, in brief, so that the allocators' free hook (called on
// every kfree) need not walk the whole registry, which holds every RX buffer of every NIC: one
// counter per bucket of 256-byte grains of virtual memory (the grain number modulo the table's
// size), raised for each grain a mapping covers. A freed range whose buckets are all zero
// overlaps no mapping; otherwise (an overlap, a small object sharing a grain with a mapped
// buffer, or a grain 4 MiB away that shares the bucket) check_free walks the registry as before.
// Grains finer than a page keep the walks rare: the heap puts small objects in the same pages
// as the NICs' 2 KiB buffers.
constexpr u64 GRAIN = 256;
constexpr usize GRAIN_BUCKETS = 16384;
u32 g_mapped_grains[GRAIN_BUCKETS] {};   // Guarded by g_lock

// Calls fn(counter) for each bucket that [start, start + length) touches, once each.
template<typename Fn>
void for_each_grain_bucket(u64 start, u64 length, Fn fn)
{
    if (length == 0)
        return;
    u64 first = start / GRAIN;
    u64 grains = (start + length - 1) / GRAIN - first + 1;
    for (u64 i = 0; i < kstd::min<u64>(grains, GRAIN_BUCKETS); ++i)
        fn(g_mapped_grains[(first + i) % GRAIN_BUCKETS]);
}

void count_mapped_grains(DmaRecord const& record, bool add)
{
    if (!record.is_streaming())
        return;
    for_each_grain_bucket(reinterpret_cast<u64>(record.cpu), record.length, [add](u32& count) {
        if (add)
            ++count;
        else
            --count;
    });
}

bool may_be_mapped(u64 start, u64 length)
{
    bool any = false;
    for_each_grain_bucket(start, length, [&any](u32& count) { any |= count != 0; });
    return any;
}

ErrorOr<u64> translate(void*, u64 virt) { return mm::translate(virt); }

bool is_live(DmaRecord const* record)
{
    return record && record->magic == DmaRecord::LIVE && g_records.contains(*record);
}

struct RecordSummary {
    u32 id;
    DmaKind kind;
    Direction direction;
    u64 bus;
    usize length;
    usize segments;
    bool bounced;
    u64 mapped_by;
    char device[32];
};

RecordSummary summarize(DmaRecord const& record)
{
    RecordSummary summary { record.id, record.kind, record.direction, record.segments[0].bus_address,
        record.length, record.segment_count, false, reinterpret_cast<u64>(record.mapped_by), {} };
    for (usize i = 0; i < record.segment_count; ++i)
        summary.bounced |= record.segments[i].bounced();
    kstd::copy_string(summary.device, sizeof(summary.device), kstd::StringView(record.device_name));
    return summary;
}

char const* kind_name(DmaKind kind)
{
    switch (kind) {
    case DmaKind::Single: return "single";
    case DmaKind::ScatterGather: return "sg";
    case DmaKind::Coherent: return "coherent";
    }
    return "?";
}

void print_summary(RecordSummary const& s)
{
    char where[96];
    symbols::describe(s.mapped_by, where, sizeof(where));
    if (s.kind == DmaKind::Coherent) {
        kprint("    #%u %-8s %-12s bus %#lx, %zu bytes, from %s\n", s.id, kind_name(s.kind), s.device, s.bus, s.length,
               where);
        return;
    }
    kprint("    #%u %-8s %-12s %s bus %#lx, %zu bytes, %zu segment%s%s, from %s\n", s.id, kind_name(s.kind), s.device,
           direction_name(s.direction), s.bus, s.length, s.segments, s.segments == 1 ? "" : "s",
           s.bounced ? ", bounced" : "", where);
}

}

char const* direction_name(Direction direction)
{
    switch (direction) {
    case Direction::ToDevice: return "to-device";
    case Direction::FromDevice: return "from-device";
    case Direction::Bidirectional: return "bidirectional";
    }
    return "?";
}

void dma_init() { (void)detail::ensure_initialized(); }

DmaStats dma_stats()
{
    sched::SpinlockGuard guard(g_lock);
    DmaStats stats = g_stats;
    stats.pool_phys = g_pool.base();
    stats.pool_bytes = g_pool.size();
    stats.pool_free_bytes = g_pool.free_bytes();
    return stats;
}

namespace detail {

// The pool is allocated outside the lock (the frame allocator has its own); the flag is only
// ever set from thread context, and a race between two first users costs one log line.
ErrorOr<void> ensure_initialized()
{
    if (g_initialized)
        return {};
    auto phys = mm::alloc_contiguous(usize(POOL_BYTES / mm::PAGE_SIZE), POOL_ALIGN, mm::ZONE_DMA_LIMIT);
    if (phys.is_error()) {
        log_warn("dma: no %lu KiB below 16 MiB for the bounce pool (%s): bouncing disabled\n", POOL_BYTES / KiB,
                 phys.error().name());
        g_initialized = true;
        return {};
    }
    sched::SpinlockGuard guard(g_lock);
    if (g_initialized) {
        mm::free_contiguous(phys.value(), usize(POOL_BYTES / mm::PAGE_SIZE));
        return {};
    }
    g_pool.init(phys.value(), POOL_BYTES);
    g_initialized = true;
    log_info("dma: bounce pool %lu KiB at %#lx\n", POOL_BYTES / KiB, phys.value());
    return {};
}

DmaConstraints constraints_of(dev::Device const& device)
{
    return DmaConstraints { device.dma_mask(), device.dma_boundary(), 0, 1 };
}

Translator kernel_translator() { return Translator { translate, nullptr }; }

void register_record(DmaRecord& record, dev::Device& device)
{
    record.device = &device;
    kstd::copy_string(record.device_name, sizeof(record.device_name), kstd::StringView(device.name()));
    sched::SpinlockGuard guard(g_lock);
    record.id = g_next_id++;
    g_records.push_back(record);
    count_mapped_grains(record, true);
    if (record.kind == DmaKind::Coherent) {
        ++g_stats.coherent_allocations;
        g_stats.coherent_bytes += record.length;
        return;
    }
    ++g_stats.mappings;
    ++g_stats.live_mappings;
    if (record.kind == DmaKind::ScatterGather) {
        ++g_stats.sg_lists;
        g_stats.sg_segments += record.segment_count;
    }
    device.adjust_live_dma_mappings(+1);
}

ErrorOr<void> unregister_record(DmaRecord* record, dev::Device const* expected, char const* what, void const* caller)
{
    char const* problem = nullptr;
    u32 id = 0;
    {
        sched::SpinlockGuard guard(g_lock);
        if (!record)
            problem = "empty handle (unmapped twice, moved from, or never mapped)";
        else if (!is_live(record))
            problem = "not a live mapping";
        else if (expected && record->device != expected)
            problem = "it belongs to another device";
        if (problem) {
            ++g_stats.bad_unmaps;
            id = is_live(record) ? record->id : 0;
        } else {
            g_records.remove(*record);
            count_mapped_grains(*record, false);
            if (record->kind == DmaKind::Coherent) {
                --g_stats.coherent_allocations;
                g_stats.coherent_bytes -= record->length;
            } else {
                --g_stats.live_mappings;
                if (record->device)
                    record->device->adjust_live_dma_mappings(-1);
            }
        }
    }
    if (!problem)
        return {};
    char where[96];
    symbols::describe(reinterpret_cast<u64>(caller), where, sizeof(where));
    log_warn("dma: bad %s of #%u: %s (called from %s)\n", what, id, problem, where);
    return Error::from_errno(EINVAL);
}

void destroy_record(DmaRecord* record)
{
    record->magic = 0;   // a stale pointer to it no longer looks live
    delete record;
}

ErrorOr<u64> bounce_allocate(u64 length, DmaConstraints const& constraints)
{
    sched::SpinlockGuard guard(g_lock);
    auto phys = g_pool.allocate(length, constraints);
    if (phys.is_error())
        ++g_stats.bounce_failures;
    else
        ++g_stats.bounces;
    return phys;
}

void bounce_free(u64 phys, u64 length)
{
    sched::SpinlockGuard guard(g_lock);
    g_pool.free(phys, length);
}

u64 copy_bounced(DmaRecord const& record, usize offset, usize length, CopyTo to)
{
    u64 end = length == DMA_WHOLE ? record.length : offset + length;
    u64 copied = 0;
    for (usize i = 0; i < record.segment_count; ++i) {
        DmaSegment const& segment = record.segments[i];
        u64 lo = kstd::max<u64>(offset, segment.buffer_offset);
        u64 hi = kstd::min<u64>(end, segment.buffer_offset + segment.length);
        if (!segment.bounced() || lo >= hi)
            continue;
        u8* cpu = record.cpu + lo;
        u8* bounce = mm::phys_to_ptr<u8>(segment.bus_address + (lo - segment.buffer_offset));
        if (to == CopyTo::Device)
            memcpy(bounce, cpu, hi - lo);
        else
            memcpy(cpu, bounce, hi - lo);
        copied += hi - lo;
    }
    if (copied) {
        sched::SpinlockGuard guard(g_lock);
        g_stats.bytes_bounced += copied;
    }
    return copied;
}

void count_bad_sync(char const* what, void const* caller)
{
    {
        sched::SpinlockGuard guard(g_lock);
        ++g_stats.bad_syncs;
    }
    char where[96];
    symbols::describe(reinterpret_cast<u64>(caller), where, sizeof(where));
    log_warn("dma: bad %s (called from %s)\n", what, where);
}

}

usize dma_report_leaks(dev::Device& device)
{
    RecordSummary listed[MAX_LISTED];
    usize count = 0;
    {
        sched::SpinlockGuard guard(g_lock);
        for (auto& record : g_records) {
            if (record.device != &device)
                continue;
            if (count < MAX_LISTED)
                listed[count] = summarize(record);
            ++count;
            record.device = nullptr;   // the handle may outlive the device: never touch it again
            if (record.is_streaming())
                device.adjust_live_dma_mappings(-1);
        }
        g_stats.leaked += count;
    }
    if (count == 0)
        return 0;
    log_error("dma: device '%s' removed with %zu live DMA mapping%s or coherent buffer%s:\n", device.name(), count,
              count == 1 ? "" : "s", count == 1 ? "" : "s");
    for (usize i = 0; i < kstd::min(count, MAX_LISTED); ++i)
        print_summary(listed[i]);
    if (count > MAX_LISTED)
        kprint("    ... and %zu more\n", count - MAX_LISTED);
    return count;
}

namespace {

// Does live streaming record `record` cover any byte of [start, end)? By virtual address.
bool covers_virt(DmaRecord const& record, u64 start, u64 end)
{
    u64 lo = reinterpret_cast<u64>(record.cpu);
    return record.is_streaming() && lo < end && start < lo + record.length;
}

bool covers_phys(DmaRecord const& record, u64 start, u64 end)
{
    if (!record.is_streaming())
        return false;
    // A bounced single mapping of a discontiguous buffer has one segment for several pages,
    // so ask the page tables about each page of the buffer rather than trusting cpu_phys.
    u64 virt = reinterpret_cast<u64>(record.cpu);
    for (u64 page = kstd::align_down(virt, mm::PAGE_SIZE); page < virt + record.length; page += mm::PAGE_SIZE) {
        auto phys = mm::translate(page);
        if (!phys.is_error() && phys.value() < end && start < phys.value() + mm::PAGE_SIZE)
            return true;
    }
    return false;
}

// by_virt: [start, start + length) is a virtual range, which the grain buckets summarize.
template<typename Covers>
bool check_free(u64 start, usize length, Covers covers, char const* space, bool by_virt)
{
    // The allocators call this on every free, including when the registry frees its own records
    // under g_lock. Uniprocessor: a held lock means this is that path (the lock keeps interrupts
    // off), and the registry's own records are never DMA buffers.
    if (g_lock.is_locked())
        return false;
    Optional<RecordSummary> hit;
    {
        sched::SpinlockGuard guard(g_lock);
        if (by_virt && !may_be_mapped(start, length))
            return false;
        for (auto const& record : g_records) {
            if (covers(record, start, start + length)) {
                hit = summarize(record);
                ++g_stats.freed_while_mapped;
                break;
            }
        }
    }
    if (!hit.has_value())
        return false;
    log_error("dma: freeing %s %#lx-%#lx while it is mapped for DMA:\n", space, start, start + length - 1);
    print_summary(*hit);
    return true;
}

}

bool dma_debug_check_free(void const* start, usize length)
{
    return check_free(reinterpret_cast<u64>(start), length, covers_virt, "memory", true);
}

bool dma_debug_check_free_phys(u64 phys, usize length)
{
    return check_free(phys, length, covers_phys, "frames", false);
}

Optional<DmaBusRange> dma_debug_lookup_bus(u64 bus, u64 length)
{
    sched::SpinlockGuard guard(g_lock);
    for (auto const& record : g_records) {
        for (usize i = 0; i < record.segment_count; ++i) {
            DmaSegment const& segment = record.segments[i];
            if (bus >= segment.bus_address && length <= segment.length
                && bus - segment.bus_address <= segment.length - length)
                return DmaBusRange { record.id, !record.is_streaming(), record.direction };
        }
    }
    return kstd::nullopt;
}

void dma_dump()
{
    DmaStats s = dma_stats();
    kprint("streaming: %lu mappings made, %lu live, %lu sg lists with %lu segments\n", s.mappings, s.live_mappings,
           s.sg_lists, s.sg_segments);
    kprint("bounce:    %lu bounces, %lu bytes copied, %lu failures; pool %lu KiB at %#lx, %lu KiB free\n", s.bounces,
           s.bytes_bounced, s.bounce_failures, s.pool_bytes / KiB, s.pool_phys, s.pool_free_bytes / KiB);
    kprint("coherent:  %lu buffers, %lu bytes\n", s.coherent_allocations, s.coherent_bytes);
    kprint("errors:    %lu bad unmaps, %lu bad syncs, %lu leaked, %lu freed while mapped\n", s.bad_unmaps, s.bad_syncs,
           s.leaked, s.freed_while_mapped);
    RecordSummary listed[MAX_LISTED];
    usize count = 0;
    {
        sched::SpinlockGuard guard(g_lock);
        for (auto const& record : g_records) {
            if (count < MAX_LISTED)
                listed[count] = summarize(record);
            ++count;
        }
    }
    kprint("live (%zu):\n", count);
    for (usize i = 0; i < kstd::min(count, MAX_LISTED); ++i)
        print_summary(listed[i]);
    if (count > MAX_LISTED)
        kprint("    ... and %zu more\n", count - MAX_LISTED);
}

}
