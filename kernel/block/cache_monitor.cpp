// Monitor commands for the buffer cache:
//
//     conduit> bcache                 counters: hits, misses, read-ahead, write-backs, dirty
//     conduit> bcache reset           zero the counters
//     conduit> bcache limit 64        use at most 64 blocks (memory pressure: dirty ones are
//                                     written back first)
//     conduit> sync [DISK]            write every dirty block back and flush the disk(s)
#include "cache_kernel.h"
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace block {

namespace {

void print_cache()
{
    auto cache = kernel_cache();
    if (cache.is_error()) {
        kprint("bcache: no buffer cache (%s)\n", cache.error().name());
        return;
    }
    KernelCache& kc = *cache.value();
    CacheStats s = kc.core->stats();
    u64 lookups = s.hits + s.misses;
    u64 ratio = lookups ? s.hits * 1000 / lookups : 0;
    kprint("  blocks %u of %u (limit) x %u bytes, %u dirty, %u with I/O in flight\n", s.blocks, s.limit, BLOCK_SIZE,
        s.dirty, s.in_io);
    kprint("  hits %lu, misses %lu (hit ratio %lu.%lu%%)\n", s.hits, s.misses, ratio / 10, ratio % 10);
    kprint("  read-ahead: %lu blocks issued, %lu used (window %u blocks)\n", s.read_ahead_issued, s.read_ahead_hits,
        kc.core->read_ahead());
    kprint("  write-backs %lu (%lu failed), evictions %lu, flusher runs %lu, dirty expire %lu ms\n", s.write_backs,
        s.write_errors, s.evictions, kc.flusher_runs, kc.dirty_expire_ns / 1000000);
}

}

MONITOR_COMMAND(bcache, "bcache", "[reset | limit BLOCKS]: buffer cache counters; reset them; shrink or grow it")
{
    StringView rest = args;
    auto action = rest.next_word();
    if (!action.has_value()) {
        print_cache();
        return;
    }
    if (*action == StringView("reset")) {
        reset_cache_stats();
        kprint("  bcache: counters reset\n");
        return;
    }
    if (*action == StringView("limit")) {
        auto number = rest.next_word();
        auto blocks = number.has_value() ? kstd::parse_u64(*number) : ErrorOr<u64>(Error::from_errno(EINVAL));
        if (blocks.is_error() || blocks.value() == 0 || blocks.value() > 0xFFFFFFFFu) {
            kprint("bcache limit: give a number of blocks\n");
            return;
        }
        if (auto limited = set_cache_limit(u32(blocks.value())); limited.is_error())
            kprint("bcache limit: %s\n", limited.error().name());
        print_cache();
        return;
    }
    kprint("bcache: %.*s is not reset or limit\n", int(action->length()), action->characters());
}

MONITOR_COMMAND(sync, "sync", "[DISK]: write dirty cached blocks back and flush the disk (all disks without DISK)")
{
    StringView rest = args;
    auto disk_name = rest.next_word();
    if (!disk_name.has_value()) {
        auto synced = sync_all();
        kprint("  sync: %s\n", synced.is_error() ? synced.error().name() : "done");
        return;
    }
    auto disk = blockdev::find(*disk_name);
    if (disk.is_error()) {
        kprint("no block device called %.*s\n", int(disk_name->length()), disk_name->characters());
        return;
    }
    auto synced = sync(*disk.value());
    kprint("  sync %s: %s\n", disk.value()->name(), synced.is_error() ? synced.error().name() : "done");
}

}
