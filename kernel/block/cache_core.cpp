// The buffer cache's core (include/kernel/block/cache.h): finding blocks, loading them, the LRU
// order, read-ahead, sync and the counters. Portable: also built into the host unit tests, where
// a fake disk is the backend. The policy (eviction and write-back) is cache_policy.cpp.
//
// Every list and flag changes under the lock; the lock is never held while sleeping: a thread
// that must wait for a block's I/O lets go and calls wait_idle().
#include <kernel/block/cache.h>
#include <kstd/enforce.h>

namespace block {

BufferCache::BufferCache(CacheBlock* blocks, u32 count, CacheBackend const& backend, void* backend_data)
    : m_backend(backend)
    , m_backend_data(backend_data)
    , m_blocks(blocks)
    , m_count(count)
    , m_limit(count)
{
    for (u32 i = 0; i < count; ++i)
        m_free.push_back(blocks[i]);
}

BufferCache::~BufferCache()
{
    m_dirty.clear();
    m_lru.clear();
    m_free.clear();
    for (auto& bucket : m_hash)
        bucket.clear();
}

usize BufferCache::bucket_of(void* device, u64 number) const
{
    u64 key = reinterpret_cast<uptr>(device) / 64 * 0x9E3779B97F4A7C15ull + number;
    key ^= key >> 29;
    return usize(key % HASH_BUCKETS);
}

CacheBlock* BufferCache::find(void* device, u64 number)
{
    for (CacheBlock& block : m_hash[bucket_of(device, number)]) {
        if (block.device == device && block.number == number)
            return &block;
    }
    return nullptr;
}

void BufferCache::insert(CacheBlock& block, void* device, u64 number)
{
    block.device = device;
    block.number = number;
    block.valid = block.dirty = block.io = block.read_ahead = false;
    block.error = 0;
    block.pins = 0;
    m_hash[bucket_of(device, number)].push_back(block);
    m_lru.push_back(block);
}

void BufferCache::forget(CacheBlock& block)
{
    VERIFY(!block.dirty && !block.in_use());
    m_hash[bucket_of(block.device, block.number)].remove(block);
    m_lru.remove(block);
    block.device = nullptr;
    block.valid = block.read_ahead = false;
    ++m_evictions;
}

void BufferCache::touch(CacheBlock& block)
{
    m_lru.remove(block);
    m_lru.push_back(block);
}

void BufferCache::start_write(CacheBlock& block)
{
    VERIFY(block.dirty && !block.in_use() && block.valid);
    block.io = true;
    m_backend.start_write(*this, block);
}

// A block to load into: a free one while under the limit, otherwise the policy evicts one.
// Context: thread. Locking: not held.
ErrorOr<CacheBlock*> BufferCache::take_free_block()
{
    {
        Guard guard(*this);
        if (blocks_in_use() < m_limit && !m_free.is_empty())
            return m_free.pop_front();
    }
    return m_policy->evict(*this);
}

// A miss: a block for (device, number), read unless `overwrite`. Context: thread.
ErrorOr<CacheBlock*> BufferCache::load(void* device, u64 number, bool overwrite)
{
    CacheBlock* fresh = TRY(take_free_block());
    CacheBlock* existing;
    {
        Guard guard(*this);
        existing = find(device, number);
        if (existing) {
            // Someone loaded it while we were making room: use theirs.
            m_free.push_back(*fresh);
            ++existing->pins;
            touch(*existing);
            ++m_hits;
        } else {
            insert(*fresh, device, number);
            fresh->pins = 1;
            fresh->io = true;   // a read, or the caller filling it: either way, others wait
            ++m_misses;
            if (!overwrite)
                m_backend.start_read(*this, *fresh);
        }
    }
    CacheBlock* block = existing ? existing : fresh;
    if (overwrite && !existing)
        return block;   // the caller fills it; release() makes it valid
    wait_idle(*block);
    Guard guard(*this);
    if (!block->valid && !overwrite) {
        int error = block->error ? block->error : EIO;
        if (--block->pins == 0 && !block->dirty && !block->io) {
            forget(*block);
            m_free.push_back(*block);
        }
        return Error::from_errno(error);
    }
    return block;
}

// Does reading `number` continue a stream (a read of number - 1 came before)? Remembers where
// this reader goes next either way. Locking: held.
bool BufferCache::continues_stream(void* device, u64 number)
{
    for (Stream& stream : m_streams) {
        if (stream.device == device && stream.next == number) {
            stream.next = number + 1;
            return true;
        }
    }
    m_streams[m_next_stream] = { device, number + 1 };
    m_next_stream = (m_next_stream + 1) % STREAMS;
    return false;
}

ErrorOr<CacheBlock*> BufferCache::get(void* device, u64 number, bool overwrite)
{
    if (number >= m_backend.device_blocks(*this, device))
        return Error::from_errno(EINVAL);
    CacheBlock* block;
    bool sequential;
    {
        Guard guard(*this);
        sequential = continues_stream(device, number);
        block = find(device, number);
        if (block) {
            ++block->pins;
            touch(*block);
            ++m_hits;
            if (block->read_ahead) {
                block->read_ahead = false;
                ++m_read_ahead_hits;
            }
        }
    }
    if (block) {
        wait_idle(*block);
        Guard guard(*this);
        if (!block->valid && !overwrite && !block->io) {
            // Its read (ahead) failed: try again, as a miss would.
            block->io = true;
            m_backend.start_read(*this, *block);
        }
    } else {
        block = TRY(load(device, number, overwrite));
    }
    if (block->io && !overwrite)
        wait_idle(*block);
    if (sequential && !overwrite)
        start_read_ahead(device, number);
    if (!block->valid && !overwrite) {
        release(*block, false);
        return Error::from_errno(EIO);
    }
    return block;
}

void BufferCache::release(CacheBlock& block, bool changed)
{
    u32 dirty_count = 0;
    {
        Guard guard(*this);
        VERIFY(block.pins > 0);
        if (changed) {
            if (!block.valid) {
                block.valid = true;   // an overwrite is complete
                block.io = false;
            }
            if (!block.dirty) {
                block.dirty = true;
                block.dirtied_ns = m_backend.now_ns(*this);
                m_dirty.push_back(block);
            }
            dirty_count = u32(m_dirty.size());
        } else if (!block.valid && block.io) {
            block.io = false;   // an overwrite given up: the data was never filled
        }
        --block.pins;
    }
    m_backend.wake(*this);
    if (dirty_count)
        m_backend.dirtied(*this, dirty_count);
}

// Reading block `number` right after `number - 1`: if the block after it is not cached yet,
// start reading the next m_read_ahead blocks, as one batch (the disk queue merges them).
// Context: thread. Locking: not held.
void BufferCache::start_read_ahead(void* device, u64 number)
{
    u64 end = m_backend.device_blocks(*this, device);
    {
        Guard guard(*this);
        if (m_read_ahead == 0 || number + 1 >= end || find(device, number + 1))
            return;
    }
    u64 last = kstd::min(end, number + 1 + m_read_ahead);
    m_backend.batch(*this, device, true);
    for (u64 next = number + 1; next < last; ++next) {
        auto fresh = take_free_block();
        if (fresh.is_error())
            break;
        Guard guard(*this);
        if (find(device, next)) {
            m_free.push_back(*fresh.value());
            continue;
        }
        CacheBlock& block = *fresh.value();
        insert(block, device, next);
        block.io = true;
        block.read_ahead = true;
        ++m_read_ahead_issued;
        m_backend.start_read(*this, block);
    }
    m_backend.batch(*this, device, false);
}

void BufferCache::read_done(CacheBlock& block, int status)
{
    block.io = false;
    block.valid = status == 0;
    if (status != 0)
        block.error = status;
}

void BufferCache::write_completed(CacheBlock& block, int status)
{
    block.io = false;
    block.error = status;   // a success clears an earlier failure
    ++m_write_backs;
    if (status != 0)
        ++m_write_errors;
    m_policy->write_done(*this, block, status);
}

ErrorOr<usize> BufferCache::sync(void* device)
{
    usize total = 0;
    for (;;) {
        usize written = TRY(m_policy->write_back(*this, { .device = device }));
        total += written;
        CacheBlock* busy = nullptr;
        bool left_behind = false;
        int error = 0;
        {
            Guard guard(*this);
            for (CacheBlock& block : m_dirty) {
                if (device && block.device != device)
                    continue;
                if (block.error && !error)
                    error = block.error;
                if (block.io)
                    busy = &block;
                else if (block.pins == 0)
                    left_behind = true;
            }
        }
        if (error)
            return Error::from_errno(error);
        if (busy) {
            wait_idle(*busy);   // someone else's write-back (the flusher's): wait, then look again
            continue;
        }
        // Dirty blocks nobody uses that the write-back left: go again while it makes progress;
        // if it wrote nothing at all, the policy is broken and looping would never end.
        if (left_behind && written != 0)
            continue;
        if (left_behind)
            return Error::from_errno(EIO);
        return total;   // what is left is pinned: being changed right now, written next time
    }
}

void BufferCache::invalidate(void* device, u64 first, u64 count)
{
    Guard guard(*this);
    for (CacheBlock& block : m_lru) {
        if (block.device == device && block.number >= first && block.number - first < count && !block.dirty
            && !block.in_use()) {
            forget(block);
            m_free.push_back(block);
        }
    }
}

u32 BufferCache::drop_device(void* device)
{
    for (;;) {
        CacheBlock* busy = nullptr;
        {
            Guard guard(*this);
            for (CacheBlock& block : m_lru) {
                if (block.device == device && block.io)
                    busy = &block;
            }
        }
        if (!busy)
            break;
        wait_idle(*busy);
    }
    Guard guard(*this);
    u32 lost = 0;
    for (CacheBlock& block : m_lru) {
        if (block.device != device)
            continue;
        if (block.dirty) {
            ++lost;
            block.dirty = false;
            m_dirty.remove(block);
        }
        block.pins = 0;   // a user still holding it would be using a vanished disk's block
        forget(block);
        m_free.push_back(block);
    }
    return lost;
}

ErrorOr<void> BufferCache::set_limit(u32 limit)
{
    {
        Guard guard(*this);
        m_limit = kstd::max<u32>(1, kstd::min(limit, m_count));
    }
    for (;;) {
        {
            Guard guard(*this);
            if (blocks_in_use() <= m_limit)
                return {};
        }
        CacheBlock* freed = TRY(m_policy->evict(*this));
        Guard guard(*this);
        m_free.push_back(*freed);
    }
}

CacheStats BufferCache::stats() const
{
    auto& self = const_cast<BufferCache&>(*this);
    Guard guard(self);
    u32 in_io = 0;
    for (CacheBlock const& block : m_lru)
        in_io += block.io;
    return { m_hits, m_misses, m_read_ahead_issued, m_read_ahead_hits, m_write_backs, m_write_errors, m_evictions,
        u32(m_lru.size()), m_limit, u32(m_dirty.size()), in_io };
}

void BufferCache::reset_stats()
{
    Guard guard(*this);
    m_hits = m_misses = m_read_ahead_issued = m_read_ahead_hits = 0;
    m_write_backs = m_write_errors = m_evictions = 0;
}

}
