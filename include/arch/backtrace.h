#pragma once
// Frame-pointer stack walking (the kernel is built with -fno-omit-frame-pointer: every frame
// starts with [saved rbp][return address]).
#include <kstd/types.h>

namespace arch {

u64 current_frame_pointer();

// Collects up to max return addresses starting at frame pointer rbp. Stops at a null, misaligned
// or implausible frame pointer (outside kernel memory) so a corrupt stack cannot fault the walk.
usize capture_backtrace(u64 rbp, u64* out, usize max);

}
