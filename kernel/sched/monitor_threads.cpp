// The `threads` monitor command: one line per thread, then idle time and CPU busy percentage.
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

constexpr usize MAX_LISTED = 64;
constexpr usize NAME_SIZE = 24;

struct Row {
    sched::ThreadInfo info;
    char name[NAME_SIZE];
};

struct Snapshot {
    Row rows[MAX_LISTED];
    usize count;
    usize missed;
};

// Runs with interrupts off (for_each_thread): copy only, print later.
void collect(sched::ThreadInfo const& info, void* ctx)
{
    auto& snapshot = *static_cast<Snapshot*>(ctx);
    if (snapshot.count == MAX_LISTED) {
        ++snapshot.missed;
        return;
    }
    Row& row = snapshot.rows[snapshot.count++];
    row.info = info;
    kstd::copy_string(row.name, sizeof(row.name), kstd::StringView(info.name));
    row.info.name = row.name;
}

// Prints ms with three decimals; the kernel has no floating point.
void print_ms(char const* label, u64 ns)
{
    kprint("%s%lu.%03lu ms", label, ns / time::NS_PER_MS, (ns % time::NS_PER_MS) / time::NS_PER_US);
}

}

MONITOR_COMMAND(threads, "threads", "list kernel threads: id, name, state, priority, runtime, switches; CPU busy %")
{
    static Snapshot snapshot;   // ~4 KiB: too big for the monitor's stack frame
    snapshot.count = snapshot.missed = 0;
    sched::for_each_thread(collect, &snapshot);

    kprint("  %4s  %-20s %-9s %4s %4s %14s %9s\n", "ID", "NAME", "STATE", "PRI", "BASE", "RUNTIME(ms)", "SWITCHES");
    for (usize i = 0; i < snapshot.count; ++i) {
        auto const& info = snapshot.rows[i].info;
        u64 ms = info.runtime_ns / time::NS_PER_MS;
        u64 frac = (info.runtime_ns % time::NS_PER_MS) / time::NS_PER_US;
        kprint("  %4u  %-20s %-9s %4d %4d %10lu.%03lu %9lu\n", info.id, info.name, sched::state_name(info.state),
               info.priority, info.base_priority, ms, frac, info.switches);
    }
    if (snapshot.missed)
        kprint("  (%lu more threads not shown)\n", snapshot.missed);

    u64 idle = sched::idle_ns();
    u64 busy = sched::busy_ns();
    u64 total = idle + busy;
    u64 busy_tenths = total ? busy * 1000 / total : 0;
    print_ms("  idle ", idle);
    print_ms(", busy ", busy);
    kprint(" (CPU busy %lu.%lu%%), %lu context switches\n", busy_tenths / 10, busy_tenths % 10,
           sched::context_switches());
}
