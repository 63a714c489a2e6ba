// ACPI root tables (kernel/acpi/tables.cpp): RSDP revisions and checksums, the RSDT/XSDT walk
// over a fake physical memory, the DSDT found through the FADT, and the FADT/MCFG parsers.
#include "acpi_builder.h"
#include "support.h"
#include <kernel/acpi/tables.h>
#include <cstring>
#include <map>

using acpi_test::span_of;
using acpi_test::TableBuilder;

namespace {

// Physical memory made of separate blocks; a read must fall inside one of them.
struct FakeMemory {
    std::map<u64, std::vector<u8>> blocks;

    static ReadonlyBytes read(u64 phys, usize length, void* ctx)
    {
        auto& self = *static_cast<FakeMemory*>(ctx);
        for (auto const& [base, bytes] : self.blocks) {
            if (phys >= base && phys - base <= bytes.size() && length <= bytes.size() - (phys - base))
                return { bytes.data() + (phys - base), length };
        }
        return {};
    }
};

std::vector<u8> make_rsdp(unsigned revision, u32 rsdt, u64 xsdt = 0, bool corrupt = false)
{
    std::vector<u8> r(revision >= 2 ? 36 : 20, 0);
    std::memcpy(r.data(), "RSD PTR ", 8);
    std::memcpy(r.data() + 9, "CNDUIT", 6);
    r[15] = static_cast<u8>(revision);
    std::memcpy(r.data() + 16, &rsdt, 4);
    auto fix = [&](size_t from, size_t to, size_t at) {
        r[at] = 0;
        u8 sum = 0;
        for (size_t i = from; i < to; ++i)
            sum = static_cast<u8>(sum + r[i]);
        r[at] = static_cast<u8>(-sum);
    };
    if (revision >= 2) {
        u32 length = 36;
        std::memcpy(r.data() + 20, &length, 4);
        std::memcpy(r.data() + 24, &xsdt, 8);
    }
    fix(0, 20, 8);
    if (revision >= 2)
        fix(0, 36, 32);
    if (corrupt)
        r[8] ^= 1;
    return r;
}

// FADT of the given revision: ACPI 1.0 layout (116 bytes) or the 244-byte ACPI 2.0+ one.
std::vector<u8> make_fadt(unsigned revision, u32 dsdt, u16 boot_arch, u64 x_dsdt = 0)
{
    TableBuilder t("FACP", revision);
    t.u32_(0).u32_(dsdt).u8_(0).u8_(0).u16_(9);      // FIRMWARE_CTRL, DSDT, -, profile, SCI_INT
    t.zeros(76 - 48).u32_(0x608);                     // ... PM_TMR_BLK
    t.zeros(109 - 80).u16_(boot_arch).u8_(0).u32_(0x4a5);   // IAPC_BOOT_ARCH, -, Flags
    if (revision >= 2)
        t.zeros(140 - 116).u64_(x_dsdt).zeros(244 - 148);
    return t.build();
}

}

TEST_CASE("RSDP revision 0 and 2", "[acpi]")
{
    auto v0 = make_rsdp(0, 0x7fe1234);
    auto root = acpi::parse_rsdp(span_of(v0));
    REQUIRE(!root.is_error());
    CHECK(root.value().revision == 0);
    CHECK(root.value().rsdt_phys == 0x7fe1234);
    CHECK(root.value().xsdt_phys == 0);

    auto v2 = make_rsdp(2, 0x1000, 0x1'0000'2000ull);
    auto root2 = acpi::parse_rsdp(span_of(v2));
    REQUIRE(!root2.is_error());
    CHECK(root2.value().xsdt_phys == 0x1'0000'2000ull);

    CHECK(acpi::parse_rsdp(span_of(make_rsdp(0, 1, 0, true))).error().code() == EBADMSG);
    auto bad_sig = make_rsdp(0, 1);
    bad_sig[0] = 'X';
    CHECK(acpi::parse_rsdp(span_of(bad_sig)).error().code() == EINVAL);
    // A revision-2 RSDP cut to 20 bytes cannot be trusted for its XSDT.
    CHECK(acpi::parse_rsdp(ReadonlyBytes(v2.data(), 20)).error().code() == EINVAL);
    // The extended checksum covers the XSDT pointer.
    v2[24] ^= 0x10;
    CHECK(acpi::parse_rsdp(span_of(v2)).error().code() == EBADMSG);
}

TEST_CASE("RSDT walk: tables, the DSDT through the FADT, corrupt tables left out", "[acpi]")
{
    FakeMemory memory;
    memory.blocks[0x1000] = acpi_test::qemu_madt().build();
    memory.blocks[0x2000] = make_fadt(1, 0x5000, 0);
    memory.blocks[0x3000] = TableBuilder("HPET").zeros(20).build(true);   // bad checksum
    memory.blocks[0x4000] = TableBuilder("SSDT").zeros(4).build();
    memory.blocks[0x4800] = TableBuilder("SSDT").zeros(8).build();
    memory.blocks[0x5000] = TableBuilder("DSDT", 1).zeros(64).build();
    memory.blocks[0x100] = TableBuilder("RSDT").u32_(0x1000).u32_(0x2000).u32_(0x3000).u32_(0x4000)
                               .u32_(0x4800).u32_(0xdead0000).build();

    acpi::TableDirectory directory;
    REQUIRE(!directory.load(acpi::RootPointer { 0, 0x100, 0 }, FakeMemory::read, &memory).is_error());
    CHECK(!directory.uses_xsdt());
    CHECK(directory.count() == 5);      // APIC, FACP, two SSDTs, DSDT
    CHECK(directory.rejected() == 2);   // the corrupt HPET, the unreachable pointer
    REQUIRE(directory.find("APIC").has_value());
    CHECK(directory.find("APIC")->phys == 0x1000);
    CHECK(directory.find("DSDT")->phys == 0x5000);
    CHECK(directory.find("SSDT", 1)->phys == 0x4800);
    CHECK(!directory.find("SSDT", 2).has_value());
    CHECK(!directory.find("HPET").has_value());
    CHECK(!directory.find("MCFG").has_value());
}

TEST_CASE("XSDT preferred at revision 2, RSDT when the XSDT is broken", "[acpi]")
{
    FakeMemory memory;
    memory.blocks[0x1000] = acpi_test::qemu_madt().build();
    memory.blocks[0x1800] = TableBuilder("MCFG").zeros(8).u64_(0xb0000000).u16_(0).u8_(0).u8_(255).u32_(0).build();
    memory.blocks[0x100] = TableBuilder("RSDT").u32_(0x1000).build();
    memory.blocks[0x200] = TableBuilder("XSDT").u64_(0x1000).u64_(0x1800).build();

    acpi::TableDirectory directory;
    REQUIRE(!directory.load(acpi::RootPointer { 2, 0x100, 0x200 }, FakeMemory::read, &memory).is_error());
    CHECK(directory.uses_xsdt());
    CHECK(directory.count() == 2);

    memory.blocks[0x200] = TableBuilder("XSDT").u64_(0x1000).build(true);
    REQUIRE(!directory.load(acpi::RootPointer { 2, 0x100, 0x200 }, FakeMemory::read, &memory).is_error());
    CHECK(!directory.uses_xsdt());
    CHECK(directory.count() == 1);

    memory.blocks[0x100] = TableBuilder("RSDT").u32_(0x1000).build(true);
    CHECK(directory.load(acpi::RootPointer { 2, 0x100, 0x200 }, FakeMemory::read, &memory).error().code() == ENOENT);
}

TEST_CASE("A root table whose length overruns readable memory is refused", "[acpi]")
{
    FakeMemory memory;
    auto rsdt = TableBuilder("RSDT").u32_(0x1000).build();
    u32 huge = 0x10000;
    std::memcpy(rsdt.data() + 4, &huge, 4);
    memory.blocks[0x100] = rsdt;
    acpi::TableDirectory directory;
    CHECK(directory.load(acpi::RootPointer { 0, 0x100, 0 }, FakeMemory::read, &memory).error().code() == ENOENT);
}

TEST_CASE("FADT: 8042 flag, SCI, PM timer, DSDT", "[acpi][fadt]")
{
    acpi::FadtInfo fadt;
    auto v1 = make_fadt(1, 0x5000, 0xffff);   // ACPI 1.0: IAPC_BOOT_ARCH reserved, ignored
    REQUIRE(!acpi::parse_fadt(span_of(v1), fadt).is_error());
    CHECK(fadt.sci_irq == 9);
    CHECK(fadt.pm_timer_port == 0x608);
    CHECK(fadt.dsdt_phys == 0x5000);
    CHECK(!fadt.has_boot_arch);
    CHECK(fadt.has_8042());

    auto q35 = make_fadt(3, 0x5000, acpi::BOOT_ARCH_8042, 0x1'0000'5000ull);
    REQUIRE(!acpi::parse_fadt(span_of(q35), fadt).is_error());
    CHECK(fadt.has_boot_arch);
    CHECK(fadt.has_8042());
    CHECK(fadt.dsdt_phys == 0x1'0000'5000ull);
    CHECK(fadt.flags == 0x4a5);

    auto no_8042 = make_fadt(3, 0x5000, acpi::BOOT_ARCH_LEGACY_DEVICES);
    REQUIRE(!acpi::parse_fadt(span_of(no_8042), fadt).is_error());
    CHECK(!fadt.has_8042());
    CHECK(fadt.dsdt_phys == 0x5000);   // X_DSDT zero: the 32-bit pointer counts

    auto truncated = TableBuilder("FACP", 1).zeros(40).build();
    CHECK(acpi::parse_fadt(span_of(truncated), fadt).error().code() == EINVAL);
}

TEST_CASE("MCFG: ECAM regions", "[acpi][mcfg]")
{
    acpi::McfgInfo mcfg;
    auto table = TableBuilder("MCFG").zeros(8).u64_(0xb0000000).u16_(0).u8_(0).u8_(255).u32_(0).build();
    REQUIRE(!acpi::parse_mcfg(span_of(table), mcfg).is_error());
    REQUIRE(mcfg.region_count == 1);
    CHECK(mcfg.regions[0].base == 0xb0000000);
    CHECK(mcfg.regions[0].end_bus == 255);

    auto ragged = TableBuilder("MCFG").zeros(8).u64_(0xb0000000).u16_(0).build();
    CHECK(acpi::parse_mcfg(span_of(ragged), mcfg).error().code() == EINVAL);
    auto backwards = TableBuilder("MCFG").zeros(8).u64_(0xb0000000).u16_(0).u8_(9).u8_(3).u32_(0).build();
    CHECK(acpi::parse_mcfg(span_of(backwards), mcfg).error().code() == EINVAL);
}

TEST_CASE("checksum and signature helpers", "[acpi]")
{
    auto table = TableBuilder("HPET").zeros(20).build();
    CHECK(acpi::checksum(span_of(table)) == 0);
    CHECK(!acpi::validate_table(span_of(table)).is_error());
    CHECK(std::string(acpi::signature_of(span_of(table)).text) == "HPET");
    u8 junk[2] = { 0x01, 'A' };
    CHECK(std::string(acpi::signature_of(ReadonlyBytes(junk, 2)).text) == "?A??");
}
