// Purpose-made wrong buffer cache policies: the classic mistakes of lab 8 parts 3 and 4, for the
// grader's self-tests (instructor-only; never in a handout). Each must fail the lab test that names
// its mistake, on the host (lab/08-block-layer/tests/host/selftests.instructor.cpp) and in the
// kernel (selftest.wrong=WORD). Portable.
//
//   cache_mru                evicts the most recently used block
//   cache_evicts_dirty       drops a dirty victim without writing it back
//   cache_evicts_pinned      takes the LRU block even while a user holds it
//   cache_clean_too_early    marks blocks clean when their write starts, not when it succeeds
//   cache_skips_writes       write-back marks blocks clean without writing them: sync "succeeds"
#include <kernel/block/cache.h>
#include <kstd/enforce.h>

namespace block::wrong {

namespace {

// Takes `victim` out of the cache, dirty or not. Locking: held.
CacheBlock* drop(BufferCache& cache, CacheBlock& victim)
{
    if (victim.dirty) {
        victim.dirty = false;
        cache.dirty_list().remove(victim);
    }
    victim.pins = 0;
    cache.forget(victim);
    return &victim;
}

ErrorOr<CacheBlock*> evict_mru(BufferCache& cache)
{
    for (;;) {
        CacheBlock* victim = nullptr;
        {
            auto guard = cache.lock();
            for (CacheBlock* block = cache.lru().last(); block; block = cache.lru().prev(*block)) {
                if (!block->in_use()) {
                    victim = block;
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
            return Error::from_errno(victim->error);
    }
}

ErrorOr<CacheBlock*> evict_dirty_unwritten(BufferCache& cache)
{
    auto guard = cache.lock();
    for (CacheBlock& block : cache.lru()) {
        if (!block.in_use())
            return drop(cache, block);
    }
    return Error::from_errno(ENOMEM);
}

ErrorOr<CacheBlock*> evict_pinned(BufferCache& cache)
{
    auto guard = cache.lock();
    for (CacheBlock& block : cache.lru()) {
        if (!block.io && !block.dirty)
            return drop(cache, block);
    }
    return Error::from_errno(ENOMEM);
}

// Write-back that cleans a block as soon as its write starts.
ErrorOr<usize> write_back_clean_early(BufferCache& cache, WriteBackFilter const& filter)
{
    usize written = 0;
    for (;;) {
        CacheBlock* started = nullptr;
        {
            auto guard = cache.lock();
            for (CacheBlock& block : cache.dirty_list()) {
                if (written < filter.max_blocks && filter.matches(block) && !block.in_use()) {
                    started = &block;
                    break;
                }
            }
            if (!started)
                return written;
            cache.start_write(*started);
            started->dirty = false;
            cache.dirty_list().remove(*started);
        }
        cache.wait_idle(*started);
        ++written;
    }
}

void write_done_nothing(BufferCache&, CacheBlock&, int) {}

// Write-back that only pretends: every selected block is declared clean, nothing is written.
ErrorOr<usize> write_back_skipped(BufferCache& cache, WriteBackFilter const& filter)
{
    usize count = 0;
    auto guard = cache.lock();
    for (CacheBlock& block : cache.dirty_list()) {
        if (count < filter.max_blocks && filter.matches(block) && !block.in_use()) {
            block.dirty = false;
            cache.dirty_list().remove(block);
            ++count;
        }
    }
    return count;
}

}

extern CachePolicy const cache_mru, cache_evicts_dirty, cache_evicts_pinned, cache_clean_too_early, cache_skips_writes;
CachePolicy const cache_mru { "wrong-mru", evict_mru, lru_write_back_policy.write_back, lru_write_back_policy.write_done };
CachePolicy const cache_evicts_dirty { "wrong-evicts-dirty", evict_dirty_unwritten, lru_write_back_policy.write_back,
    lru_write_back_policy.write_done };
CachePolicy const cache_evicts_pinned { "wrong-evicts-pinned", evict_pinned, lru_write_back_policy.write_back,
    lru_write_back_policy.write_done };
CachePolicy const cache_clean_too_early { "wrong-clean-too-early", lru_write_back_policy.evict, write_back_clean_early,
    write_done_nothing };
CachePolicy const cache_skips_writes { "wrong-skips-writes", lru_write_back_policy.evict, write_back_skipped,
    lru_write_back_policy.write_done };

}
