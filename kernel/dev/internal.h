#pragma once
// Shared between the class cores in kernel/dev; not a public interface.
#include <kernel/dev/node.h>
#include <kernel/dev/numbers.h>
#include <kstd/error.h>
#include <kstd/string.h>

namespace devfs::internal {

// EINVAL for "" or a name with '/', ENAMETOOLONG beyond dev::MAX_NAME_LENGTH. Context: any.
ErrorOr<void> check_name(kstd::StringView name);

// Claims the number in `numbers` and the name in /dev, links the node and takes the registry's
// reference. Errors: EEXIST (name), EBUSY/EINVAL/ENOSPC (number, see NumberSpace::claim).
// Context: thread. Locking: takes the devfs lock.
ErrorOr<void> publish(dev::Node& node, dev::NumberSpace& numbers, u16 major, u16 minor);

// Removes the name, frees the number and drops the registry's reference; the caller must hold
// a reference of its own. Context: thread. Locking: takes the devfs lock.
void unpublish(dev::Node& node, dev::NumberSpace& numbers);

}

namespace blockdev::internal {

// The CharDevOps a block device's Files dispatch through: byte offsets to sector requests.
dev::CharDevOps const& file_ops();

}
