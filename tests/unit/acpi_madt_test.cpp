// MADT parsing (kernel/acpi/madt.cpp) over hand-built tables: QEMU's layout, the ISA routing
// derived from it, and every way a firmware table can lie about its lengths.
#include "acpi_builder.h"
#include "support.h"
#include <kernel/acpi/madt.h>

using acpi_test::span_of;
using acpi_test::TableBuilder;
using irq::Polarity;
using irq::Trigger;

TEST_CASE("QEMU's MADT: CPU, IOAPIC, overrides, LAPIC NMI", "[acpi][madt]")
{
    auto table = acpi_test::qemu_madt().build();
    acpi::MadtInfo madt;
    REQUIRE(!acpi::parse_madt(span_of(table), madt).is_error());
    CHECK(madt.lapic_address == 0xfee00000);
    CHECK(madt.pcat_compat);
    REQUIRE(madt.cpu_count == 1);
    CHECK(madt.cpus[0].apic_id == 0);
    CHECK(madt.cpus[0].enabled);
    REQUIRE(madt.ioapic_count == 1);
    CHECK(madt.ioapics[0].address == 0xfec00000);
    CHECK(madt.ioapics[0].gsi_base == 0);
    REQUIRE(madt.override_count == 5);
    CHECK(madt.overrides[0].source == 0);
    CHECK(madt.overrides[0].gsi == 2);
    CHECK(madt.overrides[1].trigger == Trigger::Level);
    CHECK(madt.overrides[1].polarity == Polarity::ActiveHigh);
    REQUIRE(madt.lapic_nmi_count == 1);
    CHECK(madt.lapic_nmis[0].lint == 1);
    CHECK(madt.lapic_nmis[0].processor_uid == 0xff);
    CHECK(madt.dropped == 0);
    CHECK(madt.unknown == 0);
}

TEST_CASE("ISA IRQ routing follows the overrides", "[acpi][madt]")
{
    auto table = acpi_test::qemu_madt().build();
    acpi::MadtInfo madt;
    REQUIRE(!acpi::parse_madt(span_of(table), madt).is_error());

    auto pit = acpi::isa_irq_route(madt, 0);
    CHECK(pit.gsi == 2);
    CHECK(pit.trigger == Trigger::Edge);
    CHECK(pit.polarity == Polarity::ActiveHigh);
    auto sci = acpi::isa_irq_route(madt, 9);
    CHECK(sci.gsi == 9);
    CHECK(sci.trigger == Trigger::Level);
    auto com1 = acpi::isa_irq_route(madt, 4);
    CHECK(com1.gsi == 4);
    CHECK(com1.trigger == Trigger::Edge);

    // Pin defaults: an override's flags, ISA edge/high below 16, PCI level/low above.
    CHECK(acpi::gsi_default_config(madt, 2).trigger == Trigger::Edge);
    CHECK(acpi::gsi_default_config(madt, 11).trigger == Trigger::Level);
    CHECK(acpi::gsi_default_config(madt, 11).polarity == Polarity::ActiveHigh);
    CHECK(acpi::gsi_default_config(madt, 14).trigger == Trigger::Edge);
    CHECK(acpi::gsi_default_config(madt, 16).trigger == Trigger::Level);
    CHECK(acpi::gsi_default_config(madt, 23).polarity == Polarity::ActiveLow);
}

TEST_CASE("MPS INTI flags decode", "[acpi][madt]")
{
    Trigger t;
    Polarity p;
    acpi::decode_inti_flags(0x0, t, p);
    CHECK((t == Trigger::Edge && p == Polarity::ActiveHigh));
    acpi::decode_inti_flags(0xf, t, p);
    CHECK((t == Trigger::Level && p == Polarity::ActiveLow));
    acpi::decode_inti_flags(0x5, t, p);
    CHECK((t == Trigger::Edge && p == Polarity::ActiveHigh));
    acpi::decode_inti_flags(0xd, t, p);
    CHECK((t == Trigger::Level && p == Polarity::ActiveHigh));
}

TEST_CASE("LAPIC address override and unknown entries", "[acpi][madt]")
{
    auto builder = acpi_test::qemu_madt();
    builder.u8_(5).u8_(12).u16_(0).u64_(0x1'fee0'0000ull);        // address override
    builder.u8_(9).u8_(16).u16_(0).u32_(7).u32_(1).u32_(7);      // x2APIC entry: skipped
    auto table = builder.build();
    acpi::MadtInfo madt;
    REQUIRE(!acpi::parse_madt(span_of(table), madt).is_error());
    CHECK(madt.lapic_address == 0x1'fee0'0000ull);
    CHECK(madt.unknown == 1);
    CHECK(madt.cpu_count == 1);
}

TEST_CASE("More CPUs than fit are counted, not fatal", "[acpi][madt]")
{
    TableBuilder t("APIC");
    t.u32_(0xfee00000).u32_(0);
    for (unsigned i = 0; i < acpi::MadtInfo::MAX_CPUS + 3; ++i)
        t.u8_(0).u8_(8).u8_(i).u8_(i).u32_(1);
    t.u8_(1).u8_(12).u8_(0).u8_(0).u32_(0xfec00000).u32_(0);
    auto table = t.build();
    acpi::MadtInfo madt;
    REQUIRE(!acpi::parse_madt(span_of(table), madt).is_error());
    CHECK(madt.cpu_count == acpi::MadtInfo::MAX_CPUS);
    CHECK(madt.dropped == 3);
    CHECK(madt.ioapic_count == 1);
}

TEST_CASE("Malformed MADTs are rejected", "[acpi][madt]")
{
    acpi::MadtInfo madt;
    SECTION("bad checksum")
    {
        auto table = acpi_test::qemu_madt().build(true);
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EBADMSG);
    }
    SECTION("zero-length entry")
    {
        auto table = TableBuilder("APIC").u32_(0xfee00000).u32_(0).u8_(1).u8_(0).zeros(10).build();
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EINVAL);
    }
    SECTION("entry runs past the end")
    {
        auto table = TableBuilder("APIC").u32_(0xfee00000).u32_(0).u8_(1).u8_(12).u8_(0).u8_(0).u32_(1).build();
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EINVAL);
    }
    SECTION("IOAPIC entry shorter than its type")
    {
        auto table = TableBuilder("APIC").u32_(0xfee00000).u32_(0).u8_(1).u8_(8).zeros(6).build();
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EINVAL);
    }
    SECTION("a single trailing byte")
    {
        auto table = acpi_test::qemu_madt().u8_(0).build();
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EINVAL);
    }
    SECTION("length field larger than the bytes we have")
    {
        auto table = acpi_test::qemu_madt().build();
        auto shorter = ReadonlyBytes(table.data(), table.size() - 4);
        CHECK(acpi::parse_madt(shorter, madt).error().code() == EINVAL);
    }
    SECTION("too short for the MADT fields")
    {
        auto table = TableBuilder("APIC").u32_(0xfee00000).build();
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EINVAL);
    }
    SECTION("wrong signature")
    {
        auto table = TableBuilder("APIX").u32_(0xfee00000).u32_(0).build();
        CHECK(acpi::parse_madt(span_of(table), madt).error().code() == EINVAL);
    }
}
