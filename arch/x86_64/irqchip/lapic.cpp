// The local APIC in xAPIC mode (registers: lapic_regs.h). Under QEMU TCG there is no x2APIC
// (qemu-platform-facts.md, design constraint 2), so the MMIO page at IA32_APIC_BASE is the
// only interface; it is mapped uncached, as device registers must be.
#include "lapic.h"
#include <arch/cpu.h>
#include <arch/interrupts.h>
#include <kernel/mm/paging.h>
#include <kernel/printk.h>
#include <kstd/enforce.h>

namespace arch::lapic {

namespace {

u32 volatile* g_registers = nullptr;
constexpr u32 CPUID_EDX_APIC = 1u << 9;

u32 volatile* reg_pointer(Reg reg) { return g_registers + u32(reg) / sizeof(u32); }

// Error LVT handler: the ESR latches send/receive errors (illegal vector, ...). It must be
// written before it is read to load the current errors (SDM "Error Handling").
void error_interrupt(InterruptFrame&)
{
    write(Reg::ErrorStatus, 0);
    u32 esr = read(Reg::ErrorStatus);
    log_warn("lapic: APIC error interrupt, ESR=%#x\n", esr);
    eoi();
}

// LINT1 carries NMI on PCs; the MADT says which pin and with what polarity.
u32 lint_entry_for(acpi::MadtInfo const& madt, u8 lint, u8 apic_uid)
{
    for (usize i = 0; i < madt.lapic_nmi_count; ++i) {
        auto const& n = madt.lapic_nmis[i];
        if (n.lint != lint || (n.processor_uid != 0xff && n.processor_uid != apic_uid))
            continue;
        // NMI delivery is always edge-sensitive (SDM "Local Vector Table"); only polarity counts.
        return LVT_DELIVERY_NMI | (n.polarity == irq::Polarity::ActiveLow ? LVT_ACTIVE_LOW : 0);
    }
    return LVT_MASKED;
}

u8 own_processor_uid(acpi::MadtInfo const& madt, u8 apic_id)
{
    for (usize i = 0; i < madt.cpu_count; ++i) {
        if (madt.cpus[i].apic_id == apic_id)
            return madt.cpus[i].processor_uid;
    }
    return 0xff;
}

// Vectors left in service by the firmware or an earlier kernel would block every vector of
// equal or lower priority; EOI until none is left (bounded: one EOI clears one vector).
void clear_in_service()
{
    for (int tries = 0; tries < 256; ++tries) {
        bool any = false;
        for (u32 i = 0; i < 8; ++i)
            any |= read(Reg(u32(Reg::InService0) + i * 0x10)) != 0;
        if (!any)
            return;
        eoi();
    }
}

void program_lvts(acpi::MadtInfo const& madt)
{
    u32 max_lvt = version_max_lvt(read(Reg::Version));
    write(Reg::LvtTimer, LVT_MASKED | TIMER_VECTOR);
    // LINT0 is where the 8259 would enter (ExtINT, virtual-wire mode): closed in APIC mode.
    write(Reg::LvtLint0, LVT_MASKED);
    write(Reg::LvtLint1, lint_entry_for(madt, 1, own_processor_uid(madt, id())));
    // The performance-counter and thermal entries exist only from these LVT counts on.
    if (max_lvt >= 4)
        write(Reg::LvtPerfCounter, LVT_MASKED);
    if (max_lvt >= 5)
        write(Reg::LvtThermal, LVT_MASKED);
    if (max_lvt >= 6)
        write(Reg::LvtCmci, LVT_MASKED);
    write(Reg::LvtError, ERROR_VECTOR);
}

}

ErrorOr<void> init(acpi::MadtInfo const& madt)
{
    if (g_registers)
        return {};
    if (!(cpuid(1).edx & CPUID_EDX_APIC))
        return Error::from_errno(ENODEV);
    u64 base_msr = read_msr(MSR_APIC_BASE);
    u64 phys = base_msr & APIC_BASE_ADDRESS_MASK;
    if (madt.lapic_address && madt.lapic_address != phys)
        log_warn("lapic: MADT says %#lx, IA32_APIC_BASE says %#lx: using the MSR\n", madt.lapic_address, phys);
    if (!(base_msr & APIC_BASE_ENABLE))
        write_msr(MSR_APIC_BASE, base_msr | APIC_BASE_ENABLE);

    u64 virt = TRY(mm::map_mmio(phys, mm::PAGE_SIZE, mm::CachePolicy::Uncached));
    g_registers = reinterpret_cast<u32 volatile*>(virt);

    set_vector_handler(ERROR_VECTOR, error_interrupt);
    program_lvts(madt);
    // Clear stale errors: back-to-back writes, as the SDM prescribes for the ESR.
    write(Reg::ErrorStatus, 0);
    write(Reg::ErrorStatus, 0);
    write(Reg::SpuriousVector, SVR_APIC_ENABLE | SPURIOUS_VECTOR);
    write(Reg::TaskPriority, 0);   // accept every vector class
    clear_in_service();
    log_info("lapic: id %u at %#lx, version %#x\n", id(), phys, read(Reg::Version));
    return {};
}

bool is_ready() { return g_registers != nullptr; }

void restore_virtual_wire()
{
    if (g_registers)
        write(Reg::LvtLint0, LVT_DELIVERY_EXTINT);
}

u32 read(Reg reg) { return *reg_pointer(reg); }
void write(Reg reg, u32 value) { *reg_pointer(reg) = value; }

u8 id() { return u8(read(Reg::Id) >> 24); }

// Any write signals EOI; 0 is what the SDM asks for (non-zero may #GP on future CPUs in x2APIC).
void eoi() { write(Reg::Eoi, 0); }

void send_self_ipi(u8 vector)
{
    while (read(Reg::IcrLow) & ICR_DELIVERY_PENDING)
        pause();
    write(Reg::IcrHigh, 0);
    write(Reg::IcrLow, ICR_DEST_SELF | ICR_LEVEL_ASSERT | vector);
    while (read(Reg::IcrLow) & ICR_DELIVERY_PENDING)
        pause();
}

bool in_service(u8 vector)
{
    return read(Reg(u32(Reg::InService0) + (vector / 32) * 0x10)) & (1u << (vector % 32));
}

bool requested(u8 vector)
{
    return read(Reg(u32(Reg::InterruptRequest0) + (vector / 32) * 0x10)) & (1u << (vector % 32));
}

}
