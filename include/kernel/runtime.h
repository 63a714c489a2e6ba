#pragma once
// C++ runtime start-up.

namespace runtime {
// Runs the .init_array entries (global constructors). Constructors run before the heap exists:
// they must not allocate.
void run_global_constructors();
bool global_constructors_ran();
}
