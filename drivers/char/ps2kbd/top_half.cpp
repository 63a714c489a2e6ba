// Lab 3, part 2: the keyboard's top half (see lab/03-bottom-halves/README.md).
#include "ps2kbd.h"
#include <kstd/enforce.h>

namespace ps2kbd {

// IRQ 1: one byte from the keyboard is waiting in the 8042's output buffer (or the line was
// raised for another reason: a shared line, a spurious interrupt, a test).
// Context: IRQ, interrupts off. Must not sleep, allocate, print or translate anything.
//
//   1. Is it mine? Read the status register (m_command, i8042::regs::status). Without
//      Status::OutputFull there is nothing to read: return IrqReturn::None. With
//      Status::AuxData the byte is the mouse's, not ours: None as well.
//   2. Acknowledge: read the byte from the data port (m_data, i8042::regs::data). Reading it
//      empties the output buffer, which lets the controller deliver the next byte.
//   3. (The IRQ core sends the EOI when you return.)
//   4. Defer: push the byte into m_scancodes (count it in m_overruns when the ring is full),
//      schedule m_tasklet, and return IrqReturn::Handled.
irq::IrqReturn Keyboard::top_half()
{
    // BEGIN LAB 3
    i8042::Status const status = m_command.read(i8042::regs::status);
    if (!has(status, i8042::Status::OutputFull) || has(status, i8042::Status::AuxData))
        return irq::IrqReturn::None;
    u8 const code = m_data.read(i8042::regs::data);
    if (!m_scancodes.push(code))
        ++m_overruns;
    m_tasklet.schedule();
    return irq::IrqReturn::Handled;
    // END LAB 3
    // STUB LAB 3: return irq::IrqReturn::None;
}

}
