#pragma once
// The kernel's buffer cache state, shared by kernel/block/cache.cpp (creation, backend, flusher),
// cache_io.cpp (reading, writing, sync) and cache_monitor.cpp.
#include <kernel/block/cache.h>
#include <kernel/block/cached_io.h>
#include <kernel/block/queue.h>
#include <kernel/dev/blockdev.h>
#include <kernel/sched/sync.h>

namespace sched {
class Thread;
}

namespace block {

struct KernelCache {
    BufferCache* core { nullptr };
    CacheBlock* blocks { nullptr };
    dev::BlockRequest* requests { nullptr };   // one per block
    sched::Spinlock lock { "bcache" };         // the core's lock (also taken by completions)
    sched::WaitQueue io_done;                  // threads waiting for a block's I/O
    sched::WaitQueue flusher_wake;
    bool volatile flusher_kick { false };
    bool volatile flusher_paused { false };   // tests: only eviction and sync write back
    sched::Thread* flusher { nullptr };
    u64 dirty_expire_ns { 0 };
    u64 flusher_runs { 0 };
    bool warned_write_error { false };

    // Over this many dirty blocks the flusher writes the oldest back: half the cache.
    u32 high_water() const { return core->limit() / 2; }
};

// The cache, created on first use. Errors: ENOMEM. Context: thread.
ErrorOr<KernelCache*> kernel_cache();
// The cache if it exists already (never creates it). Context: any.
KernelCache* kernel_cache_if_created();

}
