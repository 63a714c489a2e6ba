// One 82093AA-compatible I/O APIC (see ioapic.h for the register map). QEMU models version
// 0x20, which has no EOI register: a level-triggered pin's Remote IRR is cleared by the EOI
// message the LAPIC broadcasts when it gets an EOI for a level vector, so the LAPIC EOI is all
// a handler needs.
#include "ioapic.h"
#include <kernel/irq_flags.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace arch {

namespace {
constexpr u32 IOREGSEL = 0x00 / 4, IOWIN = 0x10 / 4;
constexpr u8 IOAPICID = 0x00, IOAPICVER = 0x01, IOREDTBL = 0x10;
}

ErrorOr<void> IoApic::init(u8 id, u64 phys, u32 gsi_base)
{
    u64 virt = TRY(mm::map_mmio(phys, 0x20, mm::CachePolicy::Uncached));
    m_registers = reinterpret_cast<u32 volatile*>(virt);
    m_id = id;
    m_gsi_base = gsi_base;
    u32 version = read(IOAPICVER);
    m_version = u8(version);
    m_pins = ((version >> 16) & 0xff) + 1;
    if ((read(IOAPICID) >> 24 & 0xf) != id)
        log_warn("ioapic: MADT id %u, IOAPICID register says %u\n", id, read(IOAPICID) >> 24 & 0xf);
    for (u32 pin = 0; pin < m_pins; ++pin)
        write_entry(pin, ioredtbl::MASKED);
    log_info("ioapic: id %u at %#lx, version %#x, %u pins (GSI %u-%u)\n", id, phys, m_version, m_pins, gsi_base,
             gsi_base + m_pins - 1);
    return {};
}

u32 IoApic::read(u8 index) const
{
    // IOREGSEL + IOWIN is a two-step access: nothing may run in between on this CPU.
    InterruptsDisabled guard;
    m_registers[IOREGSEL] = index;
    return m_registers[IOWIN];
}

void IoApic::write(u8 index, u32 value)
{
    InterruptsDisabled guard;
    m_registers[IOREGSEL] = index;
    m_registers[IOWIN] = value;
}

u64 IoApic::read_entry(u32 pin) const
{
    InterruptsDisabled guard;
    u64 low = read(u8(IOREDTBL + 2 * pin));
    u64 high = read(u8(IOREDTBL + 2 * pin + 1));
    return high << 32 | low;
}

void IoApic::write_entry(u32 pin, u64 entry)
{
    InterruptsDisabled guard;
    // Mask first, then the destination, then the low half (which may unmask): at no point is
    // the pin live with a mix of old and new fields.
    write(u8(IOREDTBL + 2 * pin), u32(read(u8(IOREDTBL + 2 * pin)) | ioredtbl::MASKED));
    write(u8(IOREDTBL + 2 * pin + 1), u32(entry >> 32));
    write(u8(IOREDTBL + 2 * pin), u32(entry));
}

}
