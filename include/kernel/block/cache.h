#pragma once
// The buffer cache: disk blocks kept in memory (docs/block-devices.md, "The buffer cache").
//
// Blocks are BLOCK_SIZE bytes (4 KiB: eight 512-byte sectors). A read finds its block in the
// cache (a hit) or reads it from the disk (a miss); a write changes the cached block and marks it
// dirty: the disk gets it later, from the flusher thread (write-back), at sync(), or when the
// block is evicted to make room (least recently used first, dirty ones written first). Reading a
// block right after the one before it starts read-ahead of the next blocks.
//
// This header is the portable core (host-tested with a fake disk): the lists, the counters and
// the policy, which lab 8 asks you to write (kernel/block/cache_policy.cpp). The kernel's cache,
// with its locks, its flusher and its disk I/O, is <kernel/block/cached_io.h>.
//
// Rules that keep data safe, checked by the tests:
//   * while `io` is set the block's data belongs to the device: nobody reads or changes it;
//   * a pinned block (someone is using it) is never evicted and never starts a write-back;
//   * a dirty block stays dirty until the disk said its write succeeded.
// Context: see each function. Locking: the cache's lock (lock()) guards every field and list.
#include <kstd/error.h>
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace block {

inline constexpr u32 BLOCK_SIZE = 4096;

struct CacheBlock {
    void* device { nullptr };   // whose block (a dev::BlockDevice in the kernel); null: free
    u64 number { 0 };           // which block of it: bytes number * BLOCK_SIZE onwards
    u8* data { nullptr };       // BLOCK_SIZE bytes
    u32 pins { 0 };             // users holding it right now
    bool valid { false };       // data holds the block's contents
    bool dirty { false };       // data is newer than the disk's copy
    bool io { false };          // a read or a write is in flight: the device owns data
    bool read_ahead { false };  // brought in by read-ahead and not asked for yet
    int error { 0 };            // the errno of its last failed write (kept until a sync reports it)
    u64 dirtied_ns { 0 };       // when it last became dirty
    void* io_context { nullptr };   // the I/O backend's per-block state

    bool in_use() const { return pins != 0 || io; }

    IntrusiveListNode lru_link {};     // on the LRU list while it holds a block of some device
    IntrusiveListNode hash_link {};    // in its hash bucket, likewise
    IntrusiveListNode dirty_link {};   // on the dirty list while dirty
};

class BufferCache;

// Which dirty blocks a write-back takes.
struct WriteBackFilter {
    void const* device { nullptr };     // only this device's; null: every device's
    u64 dirtied_before_ns { ~u64(0) };  // only blocks dirty since before this time
    usize max_blocks { ~usize(0) };     // at most this many

    bool matches(CacheBlock const& block) const
    {
        return (!device || block.device == device) && block.dirtied_ns < dirtied_before_ns;
    }
};

// The policy: how room is made and how dirty blocks reach the disk. Lab 8 parts 3 and 4.
struct CachePolicy {
    char const* name;
    // Returns a free block, taken from the cache: the least recently used block nobody is
    // using; a dirty one is written back first (and stays cached if that fails). Errors:
    // ENOMEM (every block is in use), or the write-back's error. Context: thread (it sleeps).
    // Locking: not held (it takes it).
    ErrorOr<CacheBlock*> (*evict)(BufferCache& cache);
    // Writes back the dirty blocks `filter` selects that nobody is using, and waits for them;
    // returns how many it wrote, or the first error. Context: thread. Locking: not held.
    ErrorOr<usize> (*write_back)(BufferCache& cache, WriteBackFilter const& filter);
    // The disk finished writing `block` (status 0 or an errno); io is already clear.
    // Context: any (a completion). Locking: held.
    void (*write_done)(BufferCache& cache, CacheBlock& block, int status);
};

extern CachePolicy const lru_write_back_policy;   // yours (kernel/block/cache_policy.cpp)

// How the core reaches the disk and the clock: the kernel's block requests and wait queues, or
// a host test's fake disk.
struct CacheBackend {
    bool (*lock)(BufferCache& cache);                    // returns state for unlock
    void (*unlock)(BufferCache& cache, bool state);
    void (*start_read)(BufferCache& cache, CacheBlock& block);    // io already set
    void (*start_write)(BufferCache& cache, CacheBlock& block);   // io already set
    void (*wait_idle)(BufferCache& cache, CacheBlock& block);     // until !io; lock not held
    void (*batch)(BufferCache& cache, void* device, bool begin);  // writes that may merge
    void (*wake)(BufferCache& cache);                   // wait_idle's sleepers: recheck
    void (*dirtied)(BufferCache& cache, u32 dirty);     // a block became dirty (the flusher)
    u64 (*device_blocks)(BufferCache& cache, void* device);   // its size in blocks
    u64 (*now_ns)(BufferCache& cache);
};

struct CacheStats {
    u64 hits, misses;
    u64 read_ahead_issued, read_ahead_hits;   // blocks read ahead; of those, later asked for
    u64 write_backs;                          // blocks written back (by anyone)
    u64 write_errors;
    u64 evictions;
    u32 blocks, limit, dirty, in_io;          // holding data; the most allowed; dirty; busy
};

class BufferCache {
public:
    using Lru = IntrusiveList<CacheBlock, &CacheBlock::lru_link>;
    using DirtyList = IntrusiveList<CacheBlock, &CacheBlock::dirty_link>;

    static constexpr usize HASH_BUCKETS = 256;
    static constexpr u32 DEFAULT_READ_AHEAD = 8;   // blocks

    // `blocks` are the cache's memory (each with its data); `limit` of them may be used.
    BufferCache(CacheBlock* blocks, u32 count, CacheBackend const& backend, void* backend_data);
    BufferCache(BufferCache const&) = delete;
    BufferCache& operator=(BufferCache const&) = delete;
    ~BufferCache();

    // --- For users (kernel/block/cache.cpp wraps these for disks) -----------------------------
    // The block, pinned, its data valid unless `overwrite` (the caller replaces all of it);
    // waits while its I/O is in flight. Errors: the read's, or evict()'s. Context: thread.
    ErrorOr<CacheBlock*> get(void* device, u64 number, bool overwrite = false);
    // Done with it; `changed`: the caller modified data (it becomes dirty). Context: thread.
    void release(CacheBlock& block, bool changed);
    // Writes back everything of `device` (null: all) and waits; returns the number written, or
    // the first error (a write that failed, now or since the last sync). Context: thread.
    ErrorOr<usize> sync(void* device);
    // The policy's write-back of what `filter` selects (the flusher's work). Context: thread.
    ErrorOr<usize> write_back(WriteBackFilter const& filter) { return m_policy->write_back(*this, filter); }
    // Drops `device`'s clean blocks in [first, first + count) from the cache; dirty or busy
    // ones stay (sync first).
    void invalidate(void* device, u64 first, u64 count);
    // The device is going away: waits for its blocks' I/O, then drops every block of it, dirty
    // ones too (sync first to keep them); returns how many dirty blocks were lost. Context: thread.
    u32 drop_device(void* device);
    // Memory pressure: use at most `limit` blocks from now on (down to 1), writing back and
    // evicting what is over. Errors: as evict(). Context: thread.
    ErrorOr<void> set_limit(u32 limit);
    void set_policy(CachePolicy const& policy) { m_policy = &policy; }
    void set_read_ahead(u32 blocks) { m_read_ahead = blocks; }
    u32 read_ahead() const { return m_read_ahead; }
    u32 limit() const { return m_limit; }
    CacheStats stats() const;
    void reset_stats();

    // --- For the policy (and the backend) ----------------------------------------------------
    class Guard {
    public:
        explicit Guard(BufferCache& cache) : m_cache(cache), m_state(cache.m_backend.lock(cache)) {}
        ~Guard() { m_cache.m_backend.unlock(m_cache, m_state); }
        Guard(Guard const&) = delete;
        Guard& operator=(Guard const&) = delete;

    private:
        BufferCache& m_cache;
        bool m_state;
    };
    Guard lock() { return Guard(*this); }

    Lru& lru() { return m_lru; }                 // least recently used first. Locking: held
    DirtyList& dirty_list() { return m_dirty; }  // longest dirty first. Locking: held
    // Starts writing `block` back (sets io). Locking: held; the block is dirty and not in use.
    void start_write(CacheBlock& block);
    // Sleeps until `block`'s I/O is done. Locking: NOT held.
    void wait_idle(CacheBlock& block) { m_backend.wait_idle(*this, block); }
    // Takes `block` out of the cache (hash table and LRU): nobody can find it any more.
    // Locking: held; the block is clean and not in use.
    void forget(CacheBlock& block);
    // Brackets starting several writes of one device, so that the disk queue merges them.
    void batch(void* device, bool begin) { m_backend.batch(*this, device, begin); }
    void* backend_data() const { return m_backend_data; }

    // --- For the backend: completions. Locking: held. Context: any -----------------------------
    void read_done(CacheBlock& block, int status);
    void write_completed(CacheBlock& block, int status);

private:
    CacheBlock* find(void* device, u64 number);
    usize bucket_of(void* device, u64 number) const;
    ErrorOr<CacheBlock*> take_free_block();
    void insert(CacheBlock& block, void* device, u64 number);
    void touch(CacheBlock& block);
    void start_read_ahead(void* device, u64 number);
    ErrorOr<CacheBlock*> load(void* device, u64 number, bool overwrite);
    u32 blocks_in_use() const { return u32(m_lru.size()); }

    CacheBackend const& m_backend;
    void* m_backend_data;
    CachePolicy const* m_policy { &lru_write_back_policy };
    CacheBlock* m_blocks;
    u32 m_count;
    u32 m_limit;
    u32 m_read_ahead { DEFAULT_READ_AHEAD };
    IntrusiveList<CacheBlock, &CacheBlock::lru_link> m_free;   // no device; reuse first
    Lru m_lru;
    DirtyList m_dirty;
    IntrusiveList<CacheBlock, &CacheBlock::hash_link> m_hash[HASH_BUCKETS];
    // The sequential-read detector: where the last few readers would continue. Several threads
    // streaming at once each keep a slot (the oldest slot is reused for a new stream).
    struct Stream {
        void* device { nullptr };
        u64 next { 0 };
    };
    static constexpr usize STREAMS = 8;
    Stream m_streams[STREAMS] {};
    usize m_next_stream { 0 };
    bool continues_stream(void* device, u64 number);
    u64 m_hits { 0 }, m_misses { 0 }, m_read_ahead_issued { 0 }, m_read_ahead_hits { 0 };
    u64 m_write_backs { 0 }, m_write_errors { 0 }, m_evictions { 0 };
};

}
