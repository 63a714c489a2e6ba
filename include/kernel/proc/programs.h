#pragma once
// The programs a process can run: the files under bin/ in the initial RAM disk (kernel/proc/
// initrd.h has the archive itself). For listings: readdir("/bin"), the monitor.
#include <kstd/optional.h>
#include <kstd/string.h>
#include <kstd/types.h>

namespace proc {

struct ProgramInfo {
    StringView name;   // "cat" (points into the archive, valid for ever)
    u64 size;          // bytes of its ELF file
};

// The index-th program in archive order. Context: any.
Optional<ProgramInfo> program_info_at(usize index);

}
