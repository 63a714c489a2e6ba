// The port instructions behind io::PortWindow (include/kernel/io/io.h). Only arch/ executes
// in/out (docs/style.md, "Rules the build enforces"); drivers get a PortWindow from io::reserve_ports() and never see a
// raw port number. Every access checks that it stays inside the window: an offset past the
// reservation is a driver bug, so it is a VERIFY failure rather than a silent access to
// whatever device sits next door.
//
// Ordering: `in`/`out` are not reordered by the CPU with other memory accesses in a way a
// driver could observe (an `out` waits for earlier stores to drain), so the only barrier needed
// is the compiler's, which the "memory" clobbers below provide.
#include <arch/cpu.h>
#include <kernel/io/io.h>
#include <kstd/enforce.h>

namespace io {

namespace {

inline u16 port_of(u16 base, u16 length, u16 offset, u16 width)
{
    VERIFY(u32(offset) + width <= length);
    return u16(base + offset);
}

}

u8 PortWindow::read8(u16 offset) const
{
    u16 port = port_of(m_base, m_length, offset, 1);
    barrier();
    u8 value = arch::in8(port);
    barrier();
    return value;
}

u16 PortWindow::read16(u16 offset) const
{
    u16 port = port_of(m_base, m_length, offset, 2);
    barrier();
    u16 value = arch::in16(port);
    barrier();
    return value;
}

u32 PortWindow::read32(u16 offset) const
{
    u16 port = port_of(m_base, m_length, offset, 4);
    barrier();
    u32 value = arch::in32(port);
    barrier();
    return value;
}

void PortWindow::write8(u16 offset, u8 value) const
{
    u16 port = port_of(m_base, m_length, offset, 1);
    barrier();
    arch::out8(port, value);
    barrier();
}

void PortWindow::write16(u16 offset, u16 value) const
{
    u16 port = port_of(m_base, m_length, offset, 2);
    barrier();
    arch::out16(port, value);
    barrier();
}

void PortWindow::write32(u16 offset, u32 value) const
{
    u16 port = port_of(m_base, m_length, offset, 4);
    barrier();
    arch::out32(port, value);
    barrier();
}

// `rep insw`: count 16-bit reads from one port into memory (ATA PIO data transfers). The
// direction flag is clear in kernel code (the SysV ABI guarantees it at function entry).
void PortWindow::read16_repeated(u16 offset, u16* buffer, usize count) const
{
    u16 port = port_of(m_base, m_length, offset, 2);
    asm volatile("rep insw" : "+D"(buffer), "+c"(count) : "d"(port) : "memory");
}

void PortWindow::write16_repeated(u16 offset, u16 const* buffer, usize count) const
{
    u16 port = port_of(m_base, m_length, offset, 2);
    asm volatile("rep outsw" : "+S"(buffer), "+c"(count) : "d"(port) : "memory");
}

}
