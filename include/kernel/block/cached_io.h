#pragma once
// Reading and writing disks through the kernel's buffer cache, or around it (docs/block-devices.md,
// "The buffer cache"). The cache itself is <kernel/block/cache.h>; this is how the kernel uses it:
// one cache for all disks, a flusher thread that writes dirty blocks back, and sync.
//
//     block::write(disk, 8192, data);        // into the cache: returns once the cache has it
//     block::sync(disk);                     // now it is on the disk (and the disk's own cache
//                                            // is flushed): a power cut cannot lose it
//     block::read(disk, 0, buffer, block::Path::Direct);   // straight from the disk
//
// Options (kernel command line): `bcache.size=4M` (memory for blocks, K/M suffix, 64K..64M),
// `bcache.dirty_ms=1000` (a dirty block is written back after this long), `bcache.readahead=8`
// (blocks; 0 turns read-ahead off).
// Context: thread, everywhere here. Locking: none held.
#include <kernel/block/cache.h>
#include <kernel/dev/blockdev.h>
#include <kstd/error.h>
#include <kstd/span.h>

namespace block {

enum class Path : u8 {
    Cached,   // through the buffer cache
    Direct,   // straight to the disk, one request per call (the cache's dirty copies of the
              // range are written back first, and its copies of a written range dropped)
};

// `bytes.size()` bytes at byte `offset` of `device`. Cached: any offset and length inside the
// device. Direct: offset and length whole sectors, the buffer aligned as the device asks.
// Errors: EINVAL (outside the device, or misaligned for Direct), EIO and the disk's errors.
[[nodiscard]] ErrorOr<void> read(dev::BlockDevice& device, u64 offset, Bytes bytes, Path path = Path::Cached);
[[nodiscard]] ErrorOr<void> write(dev::BlockDevice& device, u64 offset, ReadonlyBytes bytes, Path path = Path::Cached);

// Writes every dirty block of `device` back, waits for them, then flushes the disk's own write
// cache. When it returns success, everything written before it is on the disk. Errors: the
// first failed write since the last sync (the blocks stay dirty), or the flush's.
[[nodiscard]] ErrorOr<void> sync(dev::BlockDevice& device);
[[nodiscard]] ErrorOr<void> sync_all();

// The one cache (created on first use). Its counters, and tuning for tests and benchmarks.
BufferCache& buffer_cache();
CacheStats cache_stats();
void reset_cache_stats();
// Memory pressure: at most `blocks` blocks (dirty ones are written back to get there).
[[nodiscard]] ErrorOr<void> set_cache_limit(u32 blocks);
void set_dirty_expire(u64 ns);
u64 dirty_expire();
// A paused flusher writes nothing back (tests of eviction and sync, benchmarks): only eviction
// and sync do.
void set_flusher_paused(bool paused);
// Drops every clean block of `device` from the cache (after a sync, nothing of it is left).
void drop_cached(dev::BlockDevice& device);
// The block core calls this when `device` is being unregistered: its dirty blocks are written
// back while it still works, then all its blocks leave the cache.
void forget_device(dev::BlockDevice& device);

}
