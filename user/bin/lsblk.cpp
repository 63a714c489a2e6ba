// lsblk: the block devices, with their size, sector size and driver (like Linux's lsblk).
#include <conduit/io.h>
#include <conduit/sys.h>
#include <kstd/enforce.h>

namespace {

void print_size(u64 bytes)
{
    if (bytes >= 1024 * 1024 * 1024)
        printf("%5lu.%lu GiB", bytes >> 30, (bytes % (1ul << 30)) * 10 >> 30);
    else if (bytes >= 1024 * 1024)
        printf("%5lu.%lu MiB", bytes >> 20, (bytes % (1ul << 20)) * 10 >> 20);
    else
        printf("%5lu.%lu KiB", bytes >> 10, (bytes % 1024) * 10 >> 10);
}

}

int main()
{
    printf("NAME       MAJ:MIN        SIZE  SECTOR  DRIVER\n");
    uapi::DirEntry entry;
    int shown = 0;
    for (u64 index = 0; readdir("/dev", index, &entry) == 0; ++index) {
        if (entry.kind != uapi::DirEntryKind::BlockDevice)
            continue;
        printf("%-10s %3u:%-3u   ", entry.name, entry.major, entry.minor);
        print_size(entry.size);
        printf("  %6u  %s\n", entry.sector_size, entry.driver);
        ++shown;
    }
    if (errno != ENOENT)
        return fail("readdir /dev");
    if (shown == 0)
        printf("(no block devices)\n");
    return 0;
}
