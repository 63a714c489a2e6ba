// The interrupt flag, for kernel code outside arch/ (see include/kernel/irq_flags.h).
#include <arch/cpu.h>
#include <kernel/irq_flags.h>
#include <kstd/enforce.h>

namespace arch {

bool save_and_disable_interrupts()
{
    bool were = interrupts_enabled();
    disable_interrupts();
    return were;
}

void restore_interrupts(bool were_enabled)
{
    if (were_enabled)
        enable_interrupts();
}

void enable_interrupts_now() { enable_interrupts(); }
void disable_interrupts_now() { disable_interrupts(); }
bool interrupts_are_enabled() { return interrupts_enabled(); }

void wait_for_interrupt() { asm volatile("sti; hlt" ::: "memory"); }

}
