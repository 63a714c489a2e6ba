#pragma once
// Shared between the I/O manager's files (not a public interface).
#include "range_set.h"
#include <kernel/io/io.h>

namespace io::detail {

enum class Space : u8 { Ports, Mmio };

// Links a caller-owned node (the boot reservations' static ones) into a set, under the lock.
[[nodiscard]] ErrorOr<void> insert_fixed(Space space, Resource& resource);
// Unlinks the boot port reservation starting at `base` owned by `owner`; ENOENT if none.
[[nodiscard]] ErrorOr<void> remove_fixed_ports(u16 base, char const* owner);

ResourceInfo info_of(Resource const& resource);

}
