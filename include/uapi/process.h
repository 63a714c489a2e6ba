#pragma once
// Processes at the system-call interface: how wait() reports the end of a child. The status
// word is the Unix one, so the familiar macros read it the familiar way:
//   exited with code c:         (c & 0xff) << 8            WIFEXITED, WEXITSTATUS
//   killed by the kernel:       the signal number, 1-127   WIFSIGNALED, WTERMSIG
// Conduit has no signal delivery; a "signal" here only names why the kernel ended a process.
#include <kstd/types.h>

namespace uapi {

inline constexpr int SIGNAL_TRAP = 5;       // SIGTRAP: a breakpoint (int3)
inline constexpr int SIGNAL_ILLEGAL = 4;    // SIGILL: an invalid opcode (also FPU/SSE use)
inline constexpr int SIGNAL_ARITHMETIC = 8; // SIGFPE: divide error
inline constexpr int SIGNAL_KILL = 9;       // SIGKILL: killed from outside (the monitor's `kill`)
inline constexpr int SIGNAL_SEGV = 11;      // SIGSEGV: a page fault or a protection fault
                                            // (a port not granted by ioperm included)

constexpr int wait_status_exited(int code) { return (code & 0xff) << 8; }
constexpr int wait_status_signaled(int signal) { return signal & 0x7f; }
constexpr bool wait_exited(int status) { return (status & 0x7f) == 0; }
constexpr int wait_exit_code(int status) { return (status >> 8) & 0xff; }
constexpr bool wait_signaled(int status) { return (status & 0x7f) != 0; }
constexpr int wait_signal(int status) { return status & 0x7f; }

inline constexpr i32 WAIT_ANY = -1;

}
