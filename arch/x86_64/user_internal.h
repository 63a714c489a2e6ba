#pragma once
// Hooks from the exception handler (exceptions.cpp) into the ring-3 code. Only arch/x86_64.
#include <arch/interrupts.h>
#include <arch/user.h>

namespace arch {

// A page fault in ring 0 at a RIP inside a user-access routine (user_copy.S): moves RIP to the
// routine's fixup and returns true; false for any other RIP (a real kernel fault).
bool fixup_user_access(InterruptFrame& frame, u64 fault_address);

// An exception raised in ring 3: decodes it and hands it to the process layer's handler.
// Panics when no handler is installed (user code cannot run without one).
void handle_user_exception(InterruptFrame& frame);

// Runs the user-return hook (see set_user_return_hook) if one is installed.
void run_user_return_hook();

}
