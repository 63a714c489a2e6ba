// Lab 0, exercise 1: the monitor command `uptime`.
//
// `uptime` prints how long the kernel has been running, as one line:
//     up 12.345 s
// seconds since the clock started, a dot, and exactly three digits of milliseconds (truncated,
// not rounded). It takes no arguments. See lab/00-tools/README.md, exercise 1.
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

// BEGIN LAB 0
MONITOR_COMMAND(uptime, "uptime", "time since boot, in seconds")
{
    u64 const ms = time::now_ns() / time::NS_PER_MS;
    kprint("up %lu.%03lu s\n", ms / 1000, ms % 1000);
}
// END LAB 0
// STUB LAB 0: // Your MONITOR_COMMAND(uptime, ...) goes here.
