// Monitor commands of the I/O manager and the DMA API: `ioports` and `iomem` list who owns
// which range (like Linux's /proc/ioports and /proc/iomem), `dma` shows the DMA counters and
// every live mapping.
#include <kernel/io/dma.h>
#include <kernel/io/io.h>
#include <kernel/monitor.h>
#include <kstd/enforce.h>

MONITOR_COMMAND(ioports, "ioports", "list port I/O reservations and their owners")
{
    io::dump_ports();
}

MONITOR_COMMAND(iomem, "iomem", "list MMIO reservations, owners and cache policies")
{
    io::dump_mmio();
}

MONITOR_COMMAND(dma, "dma", "DMA counters, bounce pool and live mappings")
{
    io::dma_dump();
}
