#pragma once
// The ATA driver's block devices and the registry of controllers (kernel only: disk.cpp,
// piix.cpp, monitor.cpp, info.cpp).
#include "ata.h"
#include <kernel/block/partition.h>
#include <kernel/dev/blockdev.h>
#include <kstd/unique_ptr.h>

namespace ata {

inline constexpr usize MAX_CONTROLLERS = 2;
// A whole disk and each partition: 4 drives per controller, up to 16 partitions each.
inline constexpr usize MAX_BLOCK_DEVICES = 4 * (1 + block::MAX_PARTITIONS);

// One registered block device: a disk (partition 0) or one of its partitions.
struct Disk {
    Target target {};
    char name[12] {};              // "hda", "hda1"
    u32 partition { 0 };
    block::Scheme scheme { block::Scheme::None };   // of the whole disk's table
    u8 mbr_type { 0 };
    char label[37] {};             // GPT partition name
    dev::BlockDevHandle handle;
};

struct DiskSet {
    Disk disks[MAX_BLOCK_DEVICES];
    usize count { 0 };
};

// Registers every ATA disk of `controller` and its partitions. Context: thread (reads the
// partition tables through the block class, so the channels' modes must be running).
[[nodiscard]] ErrorOr<OwnPtr<DiskSet>> register_disks(Controller& controller);

// The probed controllers and their block devices, by slot; nullptr for an empty slot.
Controller* controller_at(usize index);
DiskSet* disks_at(usize index);
// The IRQ line a channel took, ~0 when it takes none.
u32 channel_irq_line(Channel const& channel);

}
