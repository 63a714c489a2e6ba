#pragma once
// devfs: the /dev directory. Registering a char or block device adds its name; unregistering
// removes it. There are no subdirectories and no user-created entries: /dev is exactly the set of
// registered devices (as with Linux's devtmpfs before udev renames anything).
//
//     auto disk = TRY(devfs::open("/dev/ram0", OpenFlags::ReadWrite));
//     TRY(disk->llseek(4096, Whence::Set));
//     TRY(disk->write(data));
//
// Names are unique across char and block devices. Network interfaces are not in /dev (as in
// Unix); see netdev.h.
#include <kernel/dev/file.h>
#include <kernel/dev/node.h>
#include <kstd/error.h>
#include <kstd/string.h>
#include <kstd/unique_ptr.h>

namespace devfs {

using dev::File;
using dev::Node;
using dev::OpenFlags;

// Opens "/dev/NAME". `flags` must include Read, Write or both.
// Errors: ENOENT (no such device, or a path outside /dev), EINVAL (neither Read nor Write),
// EROFS (Write on a read-only block device), ENODEV (unregistered meanwhile), ENOMEM, or the
// driver's open() error. Context: thread. Locking: none held.
[[nodiscard]] ErrorOr<OwnPtr<File>> open(kstd::StringView path, OpenFlags flags);

// The node called NAME ("null") or "/dev/NAME". Errors: ENOENT. Context: thread.
[[nodiscard]] ErrorOr<dev::Ref<Node>> lookup(kstd::StringView path_or_name);

// Calls fn for every node in registration order. fn runs with
// the devfs lock held: it may print, but must not register or unregister devices.
// Context: thread.
void for_each(void (*fn)(Node& node, void* ctx), void* ctx);
usize count();

}
