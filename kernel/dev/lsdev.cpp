// Monitor command `lsdev`: every registered device by class, with its number, driver, open count
// and statistics (Linux spreads this over /proc/devices, /proc/diskstats and /proc/net/dev).
//
//     conduit> lsdev
//     char devices
//       dev      name       driver       open    reads   writes   bytes in  bytes out  errors
//         1:3    null       mem             0        0        1          0        300       0
//     block devices
//       dev      name       driver       open         size sector mode reads/sectors   ...
//         1:0    ram0       ramdisk         0     4096 KiB    512 rw   12/96           ...
//     network interfaces
//       index  name     driver       state   mtu mac               rx packets/bytes ...
//           1  lo       loopback     up     1500 00:00:00:00:00:00 3/192            ...
#include <kernel/dev/blockdev.h>
#include <kernel/dev/devfs.h>
#include <kernel/dev/netdev.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace {

using dev::Node;
using dev::NodeKind;

struct Listing {
    usize shown { 0 };
};

void print_char(Node& node, void* ctx)
{
    auto& listing = *static_cast<Listing*>(ctx);
    if (node.kind() != NodeKind::Char)
        return;
    dev::NodeStats s = node.stats();
    kprint("  %3u:%-3u  %-10s %-12s %4u %8lu %8lu %10lu %10lu %7lu\n", node.number().major, node.number().minor,
        node.name(), node.driver(), node.open_count(), s.reads, s.writes, s.bytes_read, s.bytes_written, s.errors);
    ++listing.shown;
}

void print_block(Node& node, void* ctx)
{
    auto& listing = *static_cast<Listing*>(ctx);
    if (node.kind() != NodeKind::Block)
        return;
    auto& device = static_cast<dev::BlockDevice&>(node);
    dev::BlockStats s = device.block_stats();
    char reads[24], writes[24];
    kstd::snprintf(reads, sizeof(reads), "%lu/%lu", s.reads, s.sectors_read);
    kstd::snprintf(writes, sizeof(writes), "%lu/%lu", s.writes, s.sectors_written);
    kprint("  %3u:%-3u  %-10s %-12s %4u %8lu KiB %6u %-4s %-15s %-15s %7lu %6lu %8lu %4u\n", node.number().major,
        node.number().minor, node.name(), node.driver(), node.open_count(), device.capacity() / 1024,
        device.sector_size(), device.geometry().read_only ? "ro" : "rw", reads, writes, s.flushes, s.errors,
        s.rejected, s.in_flight);
    ++listing.shown;
}

void print_net(dev::NetDevice& device, void* ctx)
{
    auto& listing = *static_cast<Listing*>(ctx);
    dev::NetDevStats s = device.stats();
    dev::MacAddress mac = device.mac();
    char address[18], rx[24], tx[24], errors[24], drops[24];
    kstd::snprintf(address, sizeof(address), "%02x:%02x:%02x:%02x:%02x:%02x", mac.bytes[0], mac.bytes[1],
        mac.bytes[2], mac.bytes[3], mac.bytes[4], mac.bytes[5]);
    kstd::snprintf(rx, sizeof(rx), "%lu/%lu", s.rx_packets, s.rx_bytes);
    kstd::snprintf(tx, sizeof(tx), "%lu/%lu", s.tx_packets, s.tx_bytes);
    kstd::snprintf(errors, sizeof(errors), "%lu/%lu", s.rx_errors, s.tx_errors);
    kstd::snprintf(drops, sizeof(drops), "%lu/%lu", s.rx_dropped, s.tx_dropped);
    kprint("  %5u  %-8s %-12s %-5s %5lu %-17s %-16s %-16s %-10s %-10s %4lu\n", device.ifindex(), device.name(),
        device.driver(), device.is_up() ? "up" : "down", device.mtu(), address, rx, tx, errors, drops,
        device.rx_queued());
    ++listing.shown;
}

void list_char()
{
    kprint("char devices\n");
    kprint("  %-7s  %-10s %-12s %4s %8s %8s %10s %10s %7s\n", "dev", "name", "driver", "open", "reads", "writes",
        "bytes in", "bytes out", "errors");
    Listing listing;
    devfs::for_each(print_char, &listing);
    if (listing.shown == 0)
        kprint("  (none)\n");
}

void list_block()
{
    kprint("block devices\n");
    kprint("  %-7s  %-10s %-12s %4s %12s %6s %-4s %-15s %-15s %7s %6s %8s %4s\n", "dev", "name", "driver", "open",
        "size", "sector", "mode", "reads/sectors", "writes/sectors", "flushes", "errors", "rejected", "busy");
    Listing listing;
    devfs::for_each(print_block, &listing);
    if (listing.shown == 0)
        kprint("  (none)\n");
}

void list_net()
{
    kprint("network interfaces\n");
    kprint("  %5s  %-8s %-12s %-5s %5s %-17s %-16s %-16s %-10s %-10s %4s\n", "index", "name", "driver", "state",
        "mtu", "mac", "rx packets/bytes", "tx packets/bytes", "errs rx/tx", "drops rx/tx", "rxq");
    Listing listing;
    netdev::for_each(print_net, &listing);
    if (listing.shown == 0)
        kprint("  (none)\n");
}

}

MONITOR_COMMAND(lsdev, "lsdev", "devices by class: numbers, drivers, open files, statistics [char|block|net]")
{
    auto which = args.trim();
    bool all = which.is_empty();
    if (!all && !(which == "char") && !(which == "block") && !(which == "net")) {
        kprint("usage: lsdev [char|block|net]\n");
        return;
    }
    if (all || which == "char")
        list_char();
    if (all || which == "block")
        list_block();
    if (all || which == "net")
        list_net();
}
