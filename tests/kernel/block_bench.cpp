// The guest side of `make bench-block` (tools/bench_block.py): sequential, random and mixed
// workloads on one disk, under each I/O scheduler, through the buffer cache and around it, and
// what each cost. It passes when every run completed without an I/O error; how fast is reported,
// never judged.
//
// A run: `threads` kernel threads, each doing `ops` synchronous 4 KiB requests (so up to
// `threads` requests wait in the disk's queue at once) in an area of `area_mib` MiB at the start
// of the disk:
//   seq     each thread reads its own part of the area from start to end
//   rand    each thread reads blocks picked at random (xorshift32) from the whole area
//   mixed   random blocks, 70 % reads and 30 % writes
// With the cache on, requests go through block::read/write and the time includes a final sync;
// with it off, through the direct path. Before each run the cache is synced and emptied (a cold
// start) and the counters are reset.
//
//   bench.disk=hda  bench.threads=8  bench.ops=256  bench.area_mib=64
//   bench.workloads=seq,rand,mixed  bench.schedulers=fifo,elevator,deadline  bench.cache=off,on
//
// One line per run, which tools/bench_block.py parses:
//   block_bench disk=hda workload=seq sched=fifo cache=off ops=2048 bytes=8388608 ns=...
//       mean_ns=... p99_ns=... seek=... commands=... merges=... hits=... misses=... ra_hits=...
#include <kernel/block/cached_io.h>
#include <kernel/block/latency.h>
#include <kernel/block/queue.h>
#include <kernel/cmdline.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/builtin.h>
#include <kernel/kernel.h>
#include <kernel/mm/heap.h>
#include <kernel/sched/sync.h>
#include <kernel/sched/thread.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 BLOCK = 4096;
constexpr u32 MAX_THREADS = 32;

enum class Workload : u8 { Sequential, Random, Mixed };

struct Run {
    dev::BlockDevice* disk;
    Workload workload;
    block::Path path;
    u32 threads, ops;
    u64 area_blocks;
    sched::Spinlock lock { "block-bench" };
    block::LatencyHistogram latency;   // Guarded by lock
    sched::Semaphore finished { 0 };
    int error { 0 };                   // Guarded by lock
};

struct Worker {
    Run* run;
    u32 index;
    u8* buffer;
};

u32 xorshift(u32& x)
{
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return x;
}

void worker_main(void* arg)
{
    auto& worker = *static_cast<Worker*>(arg);
    Run& run = *worker.run;
    u32 random = 0x9E3779B9u * (worker.index + 1);
    u64 part = run.area_blocks / run.threads;
    for (u32 op = 0; op < run.ops; ++op) {
        u64 number = run.workload == Workload::Sequential ? worker.index * part + op % part
                                                          : xorshift(random) % run.area_blocks;
        bool write = run.workload == Workload::Mixed && xorshift(random) % 10 < 3;
        Bytes buffer(worker.buffer, BLOCK);
        u64 start = time::now_ns();
        auto done = write ? block::write(*run.disk, number * BLOCK, buffer, run.path)
                          : block::read(*run.disk, number * BLOCK, buffer, run.path);
        u64 took = time::now_ns() - start;
        sched::SpinlockGuard guard(run.lock);
        run.latency.record(took);
        if (done.is_error() && !run.error)
            run.error = done.error().code();
    }
    run.finished.up();
}

char const* workload_name(Workload workload)
{
    return workload == Workload::Sequential ? "seq" : workload == Workload::Random ? "rand" : "mixed";
}

// The disk's cache contents go, so that every run starts cold.
ErrorOr<void> cold_start(dev::BlockDevice& disk)
{
    TRY(block::sync(disk));
    block::drop_cached(disk);
    block::reset_queue_stats(disk);
    block::reset_cache_stats();
    return {};
}

ErrorOr<void> one_run(Run& run, char const* scheduler)
{
    static Worker workers[MAX_THREADS];
    static u8* buffers[MAX_THREADS];
    TRY(block::set_scheduler(*run.disk, scheduler));
    TRY(cold_start(*run.disk));
    run.latency.reset();
    run.error = 0;
    u64 start = time::now_ns();
    for (u32 i = 0; i < run.threads; ++i) {
        if (!buffers[i])
            buffers[i] = static_cast<u8*>(mm::kmalloc(BLOCK, BLOCK));
        if (!buffers[i])
            return Error::from_errno(ENOMEM);
        workers[i] = { &run, i, buffers[i] };
        auto thread = TRY(sched::spawn("bench-worker", worker_main, &workers[i]));
        sched::detach(thread);
    }
    for (u32 i = 0; i < run.threads; ++i)
        run.finished.down();
    if (run.path == block::Path::Cached)
        TRY(block::sync(*run.disk));   // written data is durable before the clock stops
    u64 elapsed = time::now_ns() - start;
    if (run.error)
        return Error::from_errno(run.error);
    block::QueueStats queue = block::queue_stats(*run.disk);
    block::CacheStats cache = block::cache_stats();
    u64 ops = u64(run.threads) * run.ops;
    ktest::note("block_bench disk=%s workload=%s sched=%s cache=%s ops=%lu bytes=%lu ns=%lu mean_ns=%lu p99_ns=%lu "
                "seek=%lu commands=%lu merges=%lu hits=%lu misses=%lu ra_hits=%lu",
        run.disk->name(), workload_name(run.workload), scheduler, run.path == block::Path::Cached ? "on" : "off", ops,
        ops * BLOCK, elapsed, run.latency.mean_ns(), run.latency.percentile_ns(990), queue.seek_distance,
        queue.commands, queue.merges, cache.hits, cache.misses, cache.read_ahead_hits);
    return {};
}

bool listed(kstd::StringView list, char const* word)
{
    while (auto item = list.split_next(','))
        if (*item == kstd::StringView(word))
            return true;
    return false;
}

kstd::StringView option(char const* key, char const* fallback)
{
    auto value = kernel_cmdline().get(kstd::StringView(key));
    return value.has_value() ? *value : kstd::StringView(fallback);
}

}

KTEST(block_bench, CORE_SUITE)
{
    dev::init_builtin_devices();
    char disk_name[16];
    kstd::copy_string(disk_name, sizeof(disk_name), option("bench.disk", "hda"));
    auto disk = EXPECT_OK(blockdev::find(disk_name));
    static Run run;
    run.disk = &*disk;
    run.threads = u32(kstd::min<u64>(kernel_cmdline().get_u64(kstd::StringView("bench.threads"), 8), MAX_THREADS));
    run.ops = u32(kernel_cmdline().get_u64(kstd::StringView("bench.ops"), 64));
    u64 area = kernel_cmdline().get_u64(kstd::StringView("bench.area_mib"), 2) * MiB;
    run.area_blocks = kstd::min(area, disk->capacity()) / BLOCK;
    EXPECT(run.threads > 0 && run.ops > 0 && run.area_blocks >= run.threads);
    block::set_flusher_paused(false);
    static char const* const schedulers[] = { "fifo", "elevator", "deadline" };
    static Workload const workloads[] = { Workload::Sequential, Workload::Random, Workload::Mixed };
    for (Workload workload : workloads) {
        if (!listed(option("bench.workloads", "seq,rand,mixed"), workload_name(workload)))
            continue;
        for (char const* scheduler : schedulers) {
            if (!listed(option("bench.schedulers", "fifo,elevator,deadline"), scheduler))
                continue;
            for (char const* cache : { "off", "on" }) {
                if (!listed(option("bench.cache", "off,on"), cache))
                    continue;
                run.workload = workload;
                run.path = cache[1] == 'n' ? block::Path::Cached : block::Path::Direct;
                EXPECT_OK(one_run(run, scheduler));
            }
        }
    }
    EXPECT_OK(block::set_scheduler(*disk, "deadline"));
    return {};
}
