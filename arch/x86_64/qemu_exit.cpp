// Leaving the machine: QEMU's isa-debug-exit device for statuses the grader reads, the
// keyboard controller / 0xCF9 for reboot.
#include <arch/cpu.h>
#include <arch/platform.h>
#include <kstd/enforce.h>

namespace arch {

void cpu_relax() { pause(); }

[[noreturn]] void halt_forever()
{
    for (;;) {
        disable_interrupts();
        halt();
    }
}

[[noreturn]] void qemu_exit(ExitCode code)
{
    constexpr u16 ISA_DEBUG_EXIT_PORT = 0xF4;
    out8(ISA_DEBUG_EXIT_PORT, u8(code));
    // Without the exit device (a real machine, or QEMU started by hand without it) we are
    // still here: try ACPI poweroff the way QEMU's PIIX4/ICH9 PM block accepts it, then halt.
    out16(0x604, 0x2000);   // q35 / ICH9 PM1a control, SLP_TYPa=0 | SLP_EN
    out16(0xB004, 0x2000);  // older QEMU / Bochs
    halt_forever();
}

[[noreturn]] void reboot()
{
    out8(0xCF9, 0x06);      // PIIX/ICH reset control register: full reset
    out8(0x64, 0xFE);       // 8042 pulse reset line
    halt_forever();
}

}
