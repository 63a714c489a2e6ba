// The kernel's buffer cache (include/kernel/block/cached_io.h): one BufferCache for every disk,
// its I/O through the disks' request queues, and the flusher thread that writes dirty blocks back.
//
// Each cache block has its own BlockRequest, so starting a read or a write never allocates;
// blocks written back together are submitted while their disk is plugged, and the request queue
// merges neighbours into one scatter-gather command.
//
// The flusher sleeps until the oldest dirty block has been dirty for dirty_expire (1 s), or until
// half of the cache is dirty, then writes back what has expired (and the oldest blocks, down to a
// quarter, when over half). With nothing dirty it sleeps without a deadline: no wake-ups at all.
#include "cache_kernel.h"
#include <kernel/selftest.h>
#include <kernel/cmdline.h>
#include <kernel/kernel.h>
#include <kernel/mm/heap.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace block {

namespace {

constexpr u64 DEFAULT_SIZE = 4 * MiB;
constexpr u64 MIN_SIZE = 64 * KiB;
constexpr u64 MAX_SIZE = 64 * MiB;
constexpr u64 DEFAULT_DIRTY_EXPIRE_NS = time::NS_PER_S;
constexpr int FLUSHER_PRIORITY = sched::PRIORITY_DEFAULT + 2;

KernelCache* g_cache = nullptr;
sched::Mutex g_init_lock { "bcache-init" };

KernelCache& kernel_cache_of(BufferCache& cache) { return *static_cast<KernelCache*>(cache.backend_data()); }
dev::BlockDevice& device_of(CacheBlock const& block) { return *static_cast<dev::BlockDevice*>(block.device); }

bool backend_lock(BufferCache& cache) { return kernel_cache_of(cache).lock.lock(); }
void backend_unlock(BufferCache& cache, bool state) { kernel_cache_of(cache).lock.unlock(state); }

void on_io_done(KernelCache& kc, CacheBlock& block, dev::BlockRequest& request)
{
    int status = request.result().is_error() ? request.result().error().code() : 0;
    {
        sched::SpinlockGuard guard(kc.lock);
        if (request.op == dev::BlockOp::Read)
            kc.core->read_done(block, status);
        else
            kc.core->write_completed(block, status);
    }
    kc.io_done.wake_all();
}

// Fills the block's request and submits it. Locking: the cache's lock held.
void start_io(BufferCache& cache, CacheBlock& block, dev::BlockOp op)
{
    KernelCache& kc = kernel_cache_of(cache);
    dev::BlockDevice& device = device_of(block);
    auto& request = *static_cast<dev::BlockRequest*>(block.io_context);
    u32 sectors_per_block = BLOCK_SIZE / device.sector_size();
    request.op = op;
    request.sector = block.number * sectors_per_block;
    request.count = sectors_per_block;
    request.buffer = Bytes(block.data, BLOCK_SIZE);
    request.segments = {};
    CacheBlock* target = &block;
    request.on_complete = [&kc, target](dev::BlockRequest& done) { on_io_done(kc, *target, done); };
    if (auto submitted = blockdev::submit(device, request); submitted.is_error()) {
        // Never queued (the disk is going away): complete it here, lock already held.
        int status = submitted.error().code();
        if (op == dev::BlockOp::Read)
            cache.read_done(block, status);
        else
            cache.write_completed(block, status);
    }
}

void backend_start_read(BufferCache& cache, CacheBlock& block) { start_io(cache, block, dev::BlockOp::Read); }
void backend_start_write(BufferCache& cache, CacheBlock& block) { start_io(cache, block, dev::BlockOp::Write); }

void backend_wait_idle(BufferCache& cache, CacheBlock& block)
{
    kernel_cache_of(cache).io_done.wait_event([&block] { return !block.io; });
}

void backend_batch(BufferCache&, void* device, bool begin)
{
    auto& disk = *static_cast<dev::BlockDevice*>(device);
    if (begin)
        plug(disk);
    else
        unplug(disk);
}

void backend_wake(BufferCache& cache) { kernel_cache_of(cache).io_done.wake_all(); }

void backend_dirtied(BufferCache& cache, u32 dirty)
{
    KernelCache& kc = kernel_cache_of(cache);
    if (dirty == 1 || dirty >= kc.high_water()) {
        kc.flusher_kick = true;
        kc.flusher_wake.wake_one();
    }
}

u64 backend_device_blocks(BufferCache&, void* device)
{
    return static_cast<dev::BlockDevice*>(device)->capacity() / BLOCK_SIZE;
}

u64 backend_now(BufferCache&) { return time::now_ns(); }

constexpr CacheBackend kernel_backend {
    .lock = backend_lock,
    .unlock = backend_unlock,
    .start_read = backend_start_read,
    .start_write = backend_start_write,
    .wait_idle = backend_wait_idle,
    .batch = backend_batch,
    .wake = backend_wake,
    .dirtied = backend_dirtied,
    .device_blocks = backend_device_blocks,
    .now_ns = backend_now,
};

u64 configured_size()
{
    auto text = kernel_cmdline().get(StringView("bcache.size"));
    if (!text.has_value())
        return DEFAULT_SIZE;
    auto size = kstd::parse_size(*text);
    if (size.is_error() || size.value() < MIN_SIZE || size.value() > MAX_SIZE) {
        log_warn("bcache: bcache.size=%.*s is not between 64K and 64M; using 4M\n", int(text->length()),
            text->characters());
        return DEFAULT_SIZE;
    }
    return size.value();
}

// The flusher's next deadline: when the oldest dirty block expires; none when nothing is dirty
// (or while it is paused).
u64 next_flush_deadline(KernelCache& kc)
{
    if (kc.flusher_paused)
        return sched::NO_DEADLINE;
    sched::SpinlockGuard guard(kc.lock);
    CacheBlock* oldest = kc.core->dirty_list().first();
    return oldest ? oldest->dirtied_ns + kc.dirty_expire_ns : sched::NO_DEADLINE;
}

void flusher_loop(void* arg)
{
    KernelCache& kc = *static_cast<KernelCache*>(arg);
    for (;;) {
        u64 deadline = next_flush_deadline(kc);
        (void)kc.flusher_wake.wait_event_until([&kc] { return kc.flusher_kick; }, deadline);
        kc.flusher_kick = false;
        if (kc.flusher_paused)
            continue;
        u64 now = time::now_ns();
        u64 expired_before = now > kc.dirty_expire_ns ? now - kc.dirty_expire_ns : 0;
        auto expired = kc.core->write_back({ .dirtied_before_ns = expired_before + 1 });
        bool failed = expired.is_error();
        u32 dirty = kc.core->stats().dirty;
        if (!failed && dirty >= kc.high_water())
            failed = kc.core->write_back({ .max_blocks = dirty - kc.high_water() / 2 }).is_error();
        ++kc.flusher_runs;
        if (failed) {
            // A disk that fails writes: sync reports it; retrying at once would only spin.
            if (!kc.warned_write_error) {
                kc.warned_write_error = true;
                log_warn("bcache: write-back failed; the blocks stay dirty, and sync reports it\n");
            }
            sched::sleep_for(kc.dirty_expire_ns);
        }
    }
}

ErrorOr<KernelCache*> create_cache()
{
    u32 count = u32(configured_size() / BLOCK_SIZE);
    auto* kc = new (kstd::nothrow) KernelCache;
    if (!kc)
        return Error::from_errno(ENOMEM);
    kc->blocks = new (kstd::nothrow) CacheBlock[count];
    kc->requests = new (kstd::nothrow) dev::BlockRequest[count];
    if (!kc->blocks || !kc->requests)
        return Error::from_errno(ENOMEM);
    u32 made = 0;
    for (; made < count; ++made) {
        kc->blocks[made].data = static_cast<u8*>(mm::kmalloc(BLOCK_SIZE, BLOCK_SIZE));
        if (!kc->blocks[made].data)
            break;
        kc->blocks[made].io_context = &kc->requests[made];
    }
    if (made == 0)
        return Error::from_errno(ENOMEM);
    if (made < count)
        log_warn("bcache: memory for %u of %u blocks only\n", made, count);
    kc->core = new (kstd::nothrow) BufferCache(kc->blocks, made, kernel_backend, kc);
    if (!kc->core)
        return Error::from_errno(ENOMEM);
    kc->core->set_read_ahead(u32(kernel_cmdline().get_u64(StringView("bcache.readahead"), BufferCache::DEFAULT_READ_AHEAD)));
    kc->dirty_expire_ns = kernel_cmdline().get_u64(StringView("bcache.dirty_ms"), DEFAULT_DIRTY_EXPIRE_NS / time::NS_PER_MS)
        * time::NS_PER_MS;
    kc->core->set_policy(selftest::WrongOps<CachePolicy>::choose(lru_write_back_policy));
    kc->flusher = TRY(sched::spawn("bflush", flusher_loop, kc, FLUSHER_PRIORITY));
    log_info("bcache: %u blocks of %u bytes (%u KiB), read-ahead %u, dirty blocks written after %lu ms\n", made,
        BLOCK_SIZE, made * (BLOCK_SIZE / 1024), kc->core->read_ahead(), kc->dirty_expire_ns / time::NS_PER_MS);
    return kc;
}

}

KernelCache* kernel_cache_if_created() { return __atomic_load_n(&g_cache, __ATOMIC_ACQUIRE); }

ErrorOr<KernelCache*> kernel_cache()
{
    if (KernelCache* created = kernel_cache_if_created())
        return created;
    sched::MutexGuard guard(g_init_lock);
    if (!g_cache) {
        auto created = create_cache();
        if (created.is_error()) {
            // Leaks what was allocated before the failure: the kernel is out of memory anyway.
            log_error("bcache: cannot create the buffer cache: %s\n", created.error().name());
            return created.release_error();
        }
        __atomic_store_n(&g_cache, created.value(), __ATOMIC_RELEASE);
    }
    return g_cache;
}

BufferCache& buffer_cache()
{
    auto cache = kernel_cache();
    VERIFY(!cache.is_error());
    return *cache.value()->core;
}

CacheStats cache_stats() { return buffer_cache().stats(); }
void reset_cache_stats() { buffer_cache().reset_stats(); }
ErrorOr<void> set_cache_limit(u32 blocks) { return TRY(kernel_cache())->core->set_limit(blocks); }
void set_dirty_expire(u64 ns)
{
    if (auto cache = kernel_cache(); !cache.is_error())
        cache.value()->dirty_expire_ns = ns;
}
void set_flusher_paused(bool paused)
{
    auto cache = kernel_cache();
    if (cache.is_error())
        return;
    cache.value()->flusher_paused = paused;
    cache.value()->flusher_kick = true;   // recompute its deadline either way
    cache.value()->flusher_wake.wake_one();
}

u64 dirty_expire()
{
    auto cache = kernel_cache();
    return cache.is_error() ? DEFAULT_DIRTY_EXPIRE_NS : cache.value()->dirty_expire_ns;
}

}
