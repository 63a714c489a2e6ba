#pragma once
// Lab 8 host tests: a buffer cache over a fake disk (parts 3 and 4).
//
// The fake disk keeps its blocks in memory. Reads and writes the cache starts are queued and
// happen when someone waits for them (wait_idle), in the order they were started; a write of a
// block listed in `failing_writes` fails with EIO. The fake also checks the rules a policy must
// follow, and records what it saw broken in `violations`:
//   * start_write and forget only with the cache's lock held, wait_idle only without it;
//   * a block stays dirty until its write has completed.
#include <kernel/block/cache.h>
#include <array>
#include <deque>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace lab8 {

using block::BLOCK_SIZE;
using block::BufferCache;
using block::CacheBlock;
using block::CachePolicy;

struct FakeDisk {
    u64 blocks { 256 };
    std::vector<std::array<u8, BLOCK_SIZE>> data;
    std::set<u64> failing_writes;
    std::deque<std::pair<CacheBlock*, bool>> in_flight;   // (block, is_write)
    std::vector<u64> written;                            // block numbers, in the order written
    std::vector<std::string> violations;
    int lock_depth { 0 };
    u64 now { 0 };
    BufferCache* cache { nullptr };

    FakeDisk() : data(blocks) { for (u64 i = 0; i < blocks; ++i) data[i].fill(old_byte(i)); }
    // What a block holds before the test writes: a pattern of its number.
    static u8 old_byte(u64 number) { return u8(0xA0 ^ number); }
    void note(std::string problem)
    {
        if (violations.size() < 10)
            violations.push_back(std::move(problem));
    }
    void finish_one();
};

inline FakeDisk& disk_of(BufferCache& cache) { return *static_cast<FakeDisk*>(cache.backend_data()); }

inline void FakeDisk::finish_one()
{
    auto [block, is_write] = in_flight.front();
    in_flight.pop_front();
    ++lock_depth;
    if (is_write) {
        if (!block->dirty)
            note("block " + std::to_string(block->number) + " was marked clean while its write was still in flight");
        bool fails = failing_writes.count(block->number) != 0;
        if (!fails) {
            std::copy(block->data, block->data + BLOCK_SIZE, data[block->number].begin());
            written.push_back(block->number);
        }
        cache->write_completed(*block, fails ? EIO : 0);
    } else {
        std::copy(data[block->number].begin(), data[block->number].end(), block->data);
        cache->read_done(*block, 0);
    }
    --lock_depth;
}

inline block::CacheBackend const& fake_backend()
{
    static block::CacheBackend const backend {
        .lock = [](BufferCache& cache) { ++disk_of(cache).lock_depth; return true; },
        .unlock = [](BufferCache& cache, bool) { --disk_of(cache).lock_depth; },
        .start_read = [](BufferCache& cache, CacheBlock& block) { disk_of(cache).in_flight.push_back({ &block, false }); },
        .start_write =
            [](BufferCache& cache, CacheBlock& block) {
                FakeDisk& disk = disk_of(cache);
                if (disk.lock_depth == 0)
                    disk.note("start_write was called without the cache's lock held");
                disk.in_flight.push_back({ &block, true });
            },
        .wait_idle =
            [](BufferCache& cache, CacheBlock& block) {
                FakeDisk& disk = disk_of(cache);
                if (disk.lock_depth != 0)
                    disk.note("wait_idle was called with the cache's lock held (it sleeps: never under a spinlock)");
                while (block.io && !disk.in_flight.empty())
                    disk.finish_one();
            },
        .batch = [](BufferCache&, void*, bool) {},
        .wake = [](BufferCache&) {},
        .dirtied = [](BufferCache&, u32) {},
        .device_blocks = [](BufferCache& cache, void*) { return disk_of(cache).blocks; },
        .now_ns = [](BufferCache& cache) { return disk_of(cache).now; },
    };
    return backend;
}

// A cache of `capacity` blocks over a fresh fake disk, with `policy`; read-ahead off.
struct FakeCache {
    FakeDisk disk;
    std::vector<CacheBlock> blocks;
    std::vector<std::array<u8, BLOCK_SIZE>> memory;
    std::unique_ptr<BufferCache> cache;

    FakeCache(u32 capacity, CachePolicy const& policy) : blocks(capacity), memory(capacity)
    {
        for (u32 i = 0; i < capacity; ++i)
            blocks[i].data = memory[i].data();
        cache = std::make_unique<BufferCache>(blocks.data(), capacity, fake_backend(), &disk);
        disk.cache = cache.get();
        cache->set_policy(policy);
        cache->set_read_ahead(0);
    }
    ~FakeCache()
    {
        cache.reset();
    }
    void* device() { return &disk; }

    // Reads block `number` (and lets go of it); false if the cache refused.
    bool read(u64 number)
    {
        auto got = cache->get(device(), number);
        if (got.is_error())
            return false;
        cache->release(*got.value(), false);
        return true;
    }
    // Overwrites block `number` with `byte` everywhere.
    bool write(u64 number, u8 byte)
    {
        auto got = cache->get(device(), number, true);
        if (got.is_error())
            return false;
        std::fill(got.value()->data, got.value()->data + BLOCK_SIZE, byte);
        cache->release(*got.value(), true);
        return true;
    }
    // The cached block for `number`, without touching the LRU order; null if not cached.
    CacheBlock* cached(u64 number)
    {
        for (CacheBlock& block : blocks) {
            if (block.device == device() && block.number == number)
                return &block;
        }
        return nullptr;
    }
    bool on_disk(u64 number, u8 byte) const
    {
        for (u8 value : disk.data[number]) {
            if (value != byte)
                return false;
        }
        return true;
    }
};

}
