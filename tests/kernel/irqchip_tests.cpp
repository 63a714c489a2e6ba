// Core tests of the interrupt controllers (arch/x86_64/irqchip) and the ACPI MADT they are
// configured from. Each runs under `irqchip=pic` and `irqchip=apic`, on q35 and pc
// (tests/kernel/rubric.toml).
#include "irqchip_test_support.h"
#include <arch/interrupts.h>
#include <kernel/sched/sync.h>
#include <kernel/acpi/acpi.h>
#include <kernel/irq/irq.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace {

using irq::IrqLine;

// Lines no QEMU device uses in the test configurations (no NIC, no disk on IRQ 14 besides the
// CD on pc's IRQ 15 — which only interrupts when the kernel talks to it).
constexpr IrqLine PIC_TEST_LINES[] = { 3, 5, 7, 9, 12, 15 };
constexpr IrqLine APIC_TEST_LINES[] = { 3, 5, 7, 15, 16, 23 };

Span<IrqLine const> test_lines()
{
    if (irq::irqchip_kind() == irq::ChipKind::Apic)
        return APIC_TEST_LINES;
    return PIC_TEST_LINES;
}

// What the directly installed vector handler saw. IRQ-only writes, read with interrupts off.
u32 volatile g_hits = 0;
u64 volatile g_last_vector = 0;
IrqLine g_expected_line = 0;

void count_and_eoi(arch::InterruptFrame& frame)
{
    g_hits = g_hits + 1;
    g_last_vector = frame.vector;
    irq::irqchip().eoi(g_expected_line);
}

u32 volatile g_core_hits = 0;
irq::IrqReturn core_handler(void*)
{
    g_core_hits = g_core_hits + 1;
    return irq::IrqReturn::Handled;
}

// Waits up to 10 ms for `counter` to reach 1, then 5 ms more so a duplicate would show.
u32 settle(u32 volatile const& counter)
{
    u64 deadline = sched::deadline_after(10 * time::NS_PER_MS);
    while (counter == 0 && time::now_ns() < deadline)
        irqchip_test::spin_for_ns(100 * time::NS_PER_US);
    irqchip_test::spin_for_ns(5 * time::NS_PER_MS);
    return counter;
}

}

KTEST(irqchip_madt_parsed, CORE_SUITE)
{
    EXPECT_OK(acpi::init());
    acpi::MadtInfo const* madt = acpi::madt();
    EXPECT_MSG(madt, "no MADT (APIC table) found or it did not parse");
    EXPECT_EQ(madt->lapic_address, 0xfee00000u);
    EXPECT(madt->cpu_count >= 1);
    EXPECT_EQ(madt->ioapic_count, 1u);
    EXPECT_EQ(madt->ioapics[0].address, 0xfec00000u);
    EXPECT_EQ(madt->ioapics[0].gsi_base, 0u);
    auto pit = acpi::isa_irq_route(*madt, 0);
    EXPECT_EQ(pit.gsi, 2u);
    EXPECT(pit.trigger == irq::Trigger::Edge && pit.polarity == irq::Polarity::ActiveHigh);
    auto sci = acpi::isa_irq_route(*madt, 9);
    EXPECT_MSG(sci.trigger == irq::Trigger::Level, "the SCI (ISA IRQ 9) should be level-triggered");
    EXPECT(madt->lapic_nmi_count >= 1);
    EXPECT_EQ(madt->lapic_nmis[0].lint, 1u);
    // The rest of what ACPI gave: q35 has an MCFG (ECAM) and a revision-3 FADT with the 8042 bit.
    EXPECT(acpi::fadt() != nullptr);
    EXPECT(acpi::fadt()->has_8042());
    if (acpi::mcfg())
        EXPECT_EQ(acpi::mcfg()->regions[0].base, 0xb0000000u);
    ktest::note("RSDP revision %u, %s; MADT: %zu CPU, %zu IOAPIC, %zu overrides; MCFG %s", acpi::rsdp_revision(),
                acpi::uses_xsdt() ? "XSDT" : "RSDT", madt->cpu_count, madt->ioapic_count, madt->override_count,
                acpi::mcfg() ? "present" : "absent");
    return {};
}

KTEST(irqchip_routing_and_lines, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    auto& chip = irq::irqchip();
    if (irq::irqchip_kind() == irq::ChipKind::Apic) {
        EXPECT_EQ(chip.line_count(), 24u);   // IOAPIC version register: 24 redirection entries
        EXPECT_EQ(chip.isa_irq_to_line(0), 2u);
    } else {
        EXPECT_EQ(chip.line_count(), 16u);
        EXPECT_EQ(chip.isa_irq_to_line(0), 0u);
    }
    EXPECT_EQ(chip.isa_irq_to_line(4), 4u);
    EXPECT_EQ(chip.isa_irq_to_line(14), 14u);
    ktest::note("%s with %u lines", chip.name(), chip.line_count());
    return {};
}

// A line nobody has requested is masked; mask/unmask are reflected by is_masked.
KTEST(irqchip_mask_unmask, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    auto& chip = irq::irqchip();
    for (IrqLine line = 0; line < chip.line_count(); ++line) {
        bool cascade = irq::irqchip_kind() == irq::ChipKind::Pic && line == 2;
        if (irq::line_stats(line).handlers == 0 && !cascade)
            EXPECT_MSG(chip.is_masked(line), "line %u has no handler but is unmasked", line);
    }
    for (IrqLine line : test_lines()) {
        InterruptsDisabled off;   // unmasked without a handler only for this moment
        chip.unmask(line);
        bool open = !chip.is_masked(line);
        chip.mask(line);
        EXPECT_MSG(open, "line %u still masked after unmask()", line);
        EXPECT_MSG(chip.is_masked(line), "line %u not masked after mask()", line);
    }
    return {};
}

// raise_for_test delivers exactly one interrupt on the line's vector, to a handler installed
// directly with arch::set_vector_handler (bypassing the IRQ core), and the EOI lets the next
// one through.
KTEST(irqchip_raise_delivers_once, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    auto& chip = irq::irqchip();
    for (IrqLine line : test_lines()) {
        u8 vector = u8(irq::FIRST_IRQ_VECTOR + line);
        for (int round = 0; round < 2; ++round) {
            {
                InterruptsDisabled off;
                g_hits = 0;
                g_last_vector = 0;
                g_expected_line = line;
                arch::set_vector_handler(vector, count_and_eoi);
                chip.unmask(line);
            }
            {
                bool were = arch::save_and_disable_interrupts();
                arch::enable_interrupts_now();
                chip.raise_for_test(line);
                arch::restore_interrupts(were);
            }
            u32 hits = settle(g_hits);
            {
                InterruptsDisabled off;
                chip.mask(line);
                arch::set_vector_handler(vector, nullptr);   // back to the IRQ core
            }
            EXPECT_MSG(hits == 1, "line %u (vector %u), round %d: %u interrupts, expected exactly 1", line, vector,
                       round, hits);
            EXPECT_EQ(g_last_vector, u64(vector));
        }
    }
    return {};
}

// Through the IRQ core: request_irq unmasks, the handler runs once per raise, nothing counts
// as spurious (on the PIC, lines 7 and 15 are raised without an ISR bit: still not spurious),
// and releasing the handle masks the line again.
KTEST(irqchip_raise_through_irq_core, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    auto& chip = irq::irqchip();
    for (IrqLine line : test_lines()) {
        auto before = irq::line_stats(line);
        g_core_hits = 0;
        {
            auto handle = EXPECT_OK(irq::request_irq(line, core_handler, nullptr, irq::IrqFlags::None, "irqchip-test"));
            EXPECT_MSG(!chip.is_masked(line), "request_irq left line %u masked", line);
            for (int i = 0; i < 3; ++i) {
                bool were = arch::save_and_disable_interrupts();
                arch::enable_interrupts_now();
                chip.raise_for_test(line);
                arch::restore_interrupts(were);
                settle(g_core_hits);
            }
        }
        auto after = irq::line_stats(line);
        EXPECT_MSG(g_core_hits == 3, "line %u: handler ran %u times for 3 raises", line, g_core_hits);
        EXPECT_EQ(after.handled - before.handled, 3u);
        EXPECT_MSG(after.spurious == before.spurious, "line %u: a test raise was counted as spurious", line);
        EXPECT_MSG(chip.is_masked(line), "line %u unmasked after its last handler went away", line);
    }
    return {};
}

// Spurious detection: only the PIC's 7 and 15 can be spurious, and only with the in-service
// bit clear (nothing is in service while this thread runs). The APIC never calls a line
// spurious: the LAPIC has its own vector for that.
KTEST(irqchip_spurious_detection, CORE_SUITE)
{
    EXPECT_OK(irqchip_test::bring_up());
    auto& chip = irq::irqchip();
    InterruptsDisabled off;
    bool pic = irq::irqchip_kind() == irq::ChipKind::Pic;
    for (IrqLine line = 0; line < chip.line_count(); ++line) {
        bool expected = pic && (line == 7 || line == 15);
        EXPECT_MSG(chip.is_spurious(line) == expected, "is_spurious(%u) should be %s", line, expected ? "true" : "false");
    }
    if (pic) {
        // A spurious 15 still owes the master its cascade EOI; with nothing in service that
        // EOI must be harmless (the tick keeps coming afterwards, checked by time_tick_rate).
        chip.acknowledge_spurious(15);
        chip.acknowledge_spurious(7);
    }
    return {};
}
