#pragma once
// One I/O APIC (ioapic.cpp). Intel 82093AA I/O Advanced Programmable Interrupt Controller
// datasheet (order no. 290566-001), section 3 "Register Description": two memory-mapped
// registers, IOREGSEL (offset 0x00) selects an indirect register and IOWIN (offset 0x10)
// reads or writes it. Indirect registers (3.2): IOAPICID 0x00, IOAPICVER 0x01 (bits 16-23 =
// maximum redirection entry), IOAPICARB 0x02, IOREDTBL[n] 0x10 + 2n (low dword) and
// 0x11 + 2n (high dword).
#include <kernel/irq/irqchip.h>
#include <kstd/error.h>
#include <kstd/types.h>

namespace arch {

// Redirection table entry bits (82093AA section 3.2.4, Figure "IOREDTBL").
namespace ioredtbl {
inline constexpr u64 VECTOR_MASK = 0xff;
inline constexpr u64 DELIVERY_FIXED = 0b000ull << 8;
inline constexpr u64 DEST_PHYSICAL = 0ull << 11;
inline constexpr u64 DELIVERY_STATUS = 1ull << 12;   // read-only: send pending
inline constexpr u64 ACTIVE_LOW = 1ull << 13;
inline constexpr u64 REMOTE_IRR = 1ull << 14;        // read-only: level interrupt accepted, awaiting EOI
inline constexpr u64 LEVEL_TRIGGERED = 1ull << 15;
inline constexpr u64 MASKED = 1ull << 16;
inline constexpr unsigned DESTINATION_SHIFT = 56;   // physical mode: APIC ID in bits 56-59/63
}

class IoApic {
public:
    // Maps the register window uncached and reads the pin count; every pin is left masked.
    [[nodiscard]] ErrorOr<void> init(u8 id, u64 phys, u32 gsi_base);

    bool handles(u32 gsi) const { return gsi >= m_gsi_base && gsi < m_gsi_base + m_pins; }
    u32 gsi_base() const { return m_gsi_base; }
    u32 pin_count() const { return m_pins; }
    u8 version() const { return m_version; }
    u8 id() const { return m_id; }

    u64 read_entry(u32 pin) const;
    // Writes an entry so that the pin is never briefly unmasked with half-old contents.
    void write_entry(u32 pin, u64 entry);

private:
    u32 read(u8 index) const;
    void write(u8 index, u32 value);

    u32 volatile* m_registers { nullptr };
    u32 m_gsi_base { 0 };
    u32 m_pins { 0 };
    u8 m_id { 0 };
    u8 m_version { 0 };
};

}
