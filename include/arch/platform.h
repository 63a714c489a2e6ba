#pragma once
// Machine-level services the rest of the kernel needs from arch/x86_64 before (and beside) any
// driver: the diagnostic channel, the early serial console, QEMU's exit device and fw_cfg.
#include <kstd/error.h>
#include <kstd/types.h>

namespace arch {

// QEMU's debug console (port 0xE9, `-debugcon`): the test/diagnostic channel. It needs no driver,
// so a broken student driver can never hide test results. Context: any.
void debugcon_write(char const* data, usize length);

// Polled COM1 output and input for the boot console and the monitor, before (or instead of)
// the UART driver. Context: any (output); thread (input).
void early_serial_init();
void early_serial_write(char const* data, usize length);
// Returns -1 when no byte is waiting.
int early_serial_try_read();

// Exit statuses through QEMU's isa-debug-exit device (the process status is (code << 1) | 1;
// 0 never means success because a triple fault also exits with 0).
enum class ExitCode : u8 {
    Success = 0x10,      // QEMU exits 33
    TestFailure = 0x11,  // 35
    Panic = 0x12,        // 37
    PowerOff = 0x13,     // 39: orderly `poweroff` from the monitor
};
[[noreturn]] void qemu_exit(ExitCode code);
[[noreturn]] void reboot();
[[noreturn]] void halt_forever();
// Busy-wait hint (`pause`): tells the CPU (and the emulator) that we are spinning.
void cpu_relax();

// QEMU fw_cfg: read a named file (e.g. "opt/conduit/cmdline") into buffer, returning its size.
// ENODEV without fw_cfg (not QEMU), ENOENT when the file is absent, E2BIG when it does not fit.
ErrorOr<usize> fw_cfg_read_file(char const* name, u8* buffer, usize capacity);

}
