#pragma once
// Local APIC registers (xAPIC MMIO mode). Intel SDM vol. 3A, chapter "Advanced Programmable
// Interrupt Controller (APIC)": "Local APIC Register Address Map" (Table 11-1 in the 2023
// edition, 10-1 before), "Local Vector Table" (Figure 11-8), "Interrupt Command Register"
// (Figure 11-12), "Spurious-Interrupt Vector Register" (Figure 11-23), "APIC Timer"
// (Figure 11-10, divide configuration). The register block is one 4 KiB page; every register
// is 32 bits wide on a 16-byte boundary and must be accessed with aligned 32-bit loads/stores.
#include <kstd/types.h>

namespace arch::lapic {

enum class Reg : u32 {
    Id = 0x020,
    Version = 0x030,
    TaskPriority = 0x080,
    Eoi = 0x0B0,
    SpuriousVector = 0x0F0,
    InService0 = 0x100,         // 8 registers, 0x10 apart: vectors 0-255
    TriggerMode0 = 0x180,
    InterruptRequest0 = 0x200,
    ErrorStatus = 0x280,
    LvtCmci = 0x2F0,
    IcrLow = 0x300,
    IcrHigh = 0x310,
    LvtTimer = 0x320,
    LvtThermal = 0x330,
    LvtPerfCounter = 0x340,
    LvtLint0 = 0x350,
    LvtLint1 = 0x360,
    LvtError = 0x370,
    TimerInitialCount = 0x380,
    TimerCurrentCount = 0x390,
    TimerDivide = 0x3E0,
};

// IA32_APIC_BASE MSR (0x1B): bit 8 BSP, bit 11 global enable, bits 12+ base address.
inline constexpr u64 APIC_BASE_BSP = 1u << 8;
inline constexpr u64 APIC_BASE_ENABLE = 1u << 11;
inline constexpr u64 APIC_BASE_ADDRESS_MASK = 0x000ffffffffff000ull;

// Spurious-interrupt vector register.
inline constexpr u32 SVR_APIC_ENABLE = 1u << 8;

// LVT entries (timer, LINT0/1, error, ...).
inline constexpr u32 LVT_MASKED = 1u << 16;
inline constexpr u32 LVT_TIMER_PERIODIC = 1u << 17;          // timer mode bits 17-18 = 01
inline constexpr u32 LVT_LEVEL_TRIGGERED = 1u << 15;
inline constexpr u32 LVT_ACTIVE_LOW = 1u << 13;
inline constexpr u32 LVT_DELIVERY_NMI = 0b100u << 8;
inline constexpr u32 LVT_DELIVERY_EXTINT = 0b111u << 8;   // the 8259's INTR, vector from its INTA

// ICR low dword.
inline constexpr u32 ICR_DELIVERY_PENDING = 1u << 12;        // delivery status: send pending
inline constexpr u32 ICR_LEVEL_ASSERT = 1u << 14;
inline constexpr u32 ICR_DEST_SELF = 0b01u << 18;            // destination shorthand

// Timer divide configuration: bits 0, 1 and 3 encode the divisor.
inline constexpr u32 TIMER_DIVIDE_BY_16 = 0b0011;

// Version register: bits 16-23 hold the number of LVT entries minus one.
inline constexpr u32 version_max_lvt(u32 version) { return (version >> 16) & 0xff; }

}
