#pragma once
// The initial RAM disk: the ustar archive GRUB loads as the module whose argument is "initrd"
// (grub.cfg: `module2 /boot/initrd.tar initrd`). It holds the user programs as bin/NAME; the
// kernel keeps it in memory for as long as it runs (fault reports read the programs' symbols
// from it).
#include "tar_archive.h"
#include <kernel/boot_info.h>
#include <kstd/error.h>
#include <kstd/optional.h>

namespace proc {

// Finds and checks the archive. Without one, processes cannot be started (spawn: ENOENT) and
// the log says why. Context: boot.
void init_initrd(BootInfo const& info);
bool initrd_present();

// The program named by `path`: "/bin/NAME" or a bare "NAME" (looked for in /bin). ENOENT.
[[nodiscard]] ErrorOr<ArchiveFile> find_program(StringView path);
// The index-th program in /bin (readdir), its name without "bin/".
Optional<ArchiveFile> program_at(usize index);

}
