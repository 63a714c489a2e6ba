// The buffer cache's policy (include/kernel/block/cache.h): which block makes room for another
// (eviction), and how dirty blocks reach the disk (write-back). Lab 8, parts 3 and 4. Portable:
// the host tests run it against a fake disk.
//
// The tools the cache gives you (all in cache.h):
//   cache.lock()           a guard: hold it while you look at or change lists and flags,
//                          never while you sleep
//   cache.lru()            blocks holding data, least recently used first
//   cache.dirty_list()     dirty blocks, longest dirty first
//   block.in_use()         pinned by a user, or I/O in flight: leave it alone
//   cache.start_write(b)   starts writing a dirty block back (sets b.io); lock held
//   cache.wait_idle(b)     sleeps until b's I/O is done; lock NOT held
//   cache.forget(b)        takes a clean, unused block out of the cache; lock held
//   cache.batch(dev, on)   brackets starting several writes so the disk queue merges them
#include <kernel/block/cache.h>
#include <kstd/enforce.h>

namespace block {

namespace {

// BEGIN LAB 8
constexpr usize WRITE_BATCH = 32;   // blocks started together, then waited for
// END LAB 8

// Part 3: make room. The least recently used block that nobody is using leaves the cache; if it
// is dirty, its data goes to the disk first, and only a block the disk has really taken may go.
ErrorOr<CacheBlock*> lru_evict(BufferCache& cache)
{
    // BEGIN LAB 8
    for (;;) {
        CacheBlock* victim = nullptr;
        {
            auto guard = cache.lock();
            for (CacheBlock& block : cache.lru()) {
                if (!block.in_use()) {
                    victim = &block;
                    break;
                }
            }
            if (!victim)
                return Error::from_errno(ENOMEM);
            if (!victim->dirty) {
                cache.forget(*victim);
                return victim;
            }
            cache.start_write(*victim);
        }
        cache.wait_idle(*victim);
        auto guard = cache.lock();
        if (victim->dirty && victim->error)
            return Error::from_errno(victim->error);   // the disk refused it: it stays cached
        // Written: look again (someone may have taken it meanwhile).
    }
    // END LAB 8
    // STUB LAB 8: (void)cache;
    // STUB LAB 8: return Error::from_errno(ENOSYS);
}

// Part 4: write-back. Start writing every dirty block the filter selects that nobody is using
// (a batch at a time, so the disk queue can merge neighbours), wait for them, and report the
// first failure. The block becomes clean in write_done, when the disk has said yes.
ErrorOr<usize> lru_write_back(BufferCache& cache, WriteBackFilter const& filter)
{
    // BEGIN LAB 8
    usize written = 0;
    while (written < filter.max_blocks) {
        CacheBlock* batch[WRITE_BATCH];
        usize count = 0;
        {
            auto guard = cache.lock();
            for (CacheBlock& block : cache.dirty_list()) {
                if (count == WRITE_BATCH || written + count == filter.max_blocks)
                    break;
                if (filter.matches(block) && !block.in_use())
                    batch[count++] = &block;
            }
            for (usize i = 0; i < count; ++i)
                cache.batch(batch[i]->device, true);
            for (usize i = 0; i < count; ++i)
                cache.start_write(*batch[i]);
            for (usize i = 0; i < count; ++i)
                cache.batch(batch[i]->device, false);
        }
        if (count == 0)
            break;
        int error = 0;
        for (usize i = 0; i < count; ++i) {
            cache.wait_idle(*batch[i]);
            auto guard = cache.lock();
            if (batch[i]->dirty && batch[i]->error && !error)
                error = batch[i]->error;
        }
        if (error)
            return Error::from_errno(error);
        written += count;
    }
    return written;
    // END LAB 8
    // STUB LAB 8: (void)cache;
    // STUB LAB 8: (void)filter;
    // STUB LAB 8: return usize(0);
}

// Part 4: the disk has answered for `block`.
void lru_write_done(BufferCache& cache, CacheBlock& block, int status)
{
    // BEGIN LAB 8
    if (status != 0)
        return;   // not on the disk: it stays dirty, to be written again
    block.dirty = false;
    cache.dirty_list().remove(block);
    // END LAB 8
    // STUB LAB 8: (void)cache;
    // STUB LAB 8: (void)block;
    // STUB LAB 8: (void)status;
}

}

CachePolicy const lru_write_back_policy {
    .name = "lru",
    .evict = lru_evict,
    .write_back = lru_write_back,
    .write_done = lru_write_done,
};

}
