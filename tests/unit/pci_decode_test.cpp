// The portable half of the PCI bus (kernel/bus/pci_decode.cpp) against a fake configuration
// space: BAR sizing and decoding (32-bit memory, 64-bit prefetchable, I/O, absent, malformed),
// the capability-list walk (including lists that loop or point into the header) and ID-table
// matching. The fake models what sizing depends on: a BAR keeps only its writable address bits
// and its read-only type bits, and the command register is recorded so the tests can check
// that decoding was off while a BAR held all ones.
#include "support.h"
#include <kernel/bus/pci_decode.h>
#include <kernel/bus/pci_regs.h>
#include <array>
#include <cstring>
#include <map>
#include <tuple>

using namespace pci;

namespace {

struct FakeFunction {
    std::array<u8, 256> bytes {};
    // Per BAR dword: which bits software can write (0: hard-wired) and the read-only bits.
    std::array<u32, 6> writable {};
    std::array<u32, 6> fixed {};

    u32 dword(u16 offset) const
    {
        u32 v;
        std::memcpy(&v, bytes.data() + offset, 4);
        return v;
    }
    void set_dword(u16 offset, u32 v) { std::memcpy(bytes.data() + offset, &v, 4); }
    void set16(u16 offset, u16 v) { std::memcpy(bytes.data() + offset, &v, 2); }
    u16 command() const
    {
        u16 v;
        std::memcpy(&v, bytes.data() + reg::command, 2);
        return v;
    }

    // A BAR as the firmware left it: `address` assigned, `size` decoded, `flags` its type bits.
    void bar(int index, u64 address, u64 size, u32 flags)
    {
        u64 mask = ~(size - 1);
        bool io = flags & BAR_IO;
        writable[index] = u32(mask) & (io ? BAR_IO_MASK : BAR_MEM_MASK);
        fixed[index] = flags;
        set_dword(u16(reg::bar0 + 4 * index), u32(address & writable[index]) | flags);
        if (!io && (flags & BAR_MEM_TYPE_MASK) == BAR_MEM_TYPE_64) {
            writable[index + 1] = u32(mask >> 32);
            fixed[index + 1] = 0;
            set_dword(u16(reg::bar0 + 4 * (index + 1)), u32(address >> 32));
        }
    }
};

class FakeConfig final : public ConfigAccess {
public:
    std::map<std::tuple<u8, u8, u8>, FakeFunction> functions;
    int bar_writes_while_decoding { 0 };
    int command_writes { 0 };

    FakeFunction& add(u8 bus, u8 device, u8 function, u16 vendor = 0x8086, u16 device_id = 0x100e)
    {
        auto& f = functions[{ bus, device, function }];
        f.set16(reg::vendor_id, vendor);
        f.set16(reg::device_id, device_id);
        f.set16(reg::command, u16(kstd::to_underlying(Command::IoSpace | Command::MemorySpace)));
        return f;
    }

    char const* name() const override { return "fake"; }
    u16 config_size() const override { return 256; }

    u32 read(Address a, u16 offset, u8 width) override
    {
        auto it = functions.find({ a.bus, a.device, a.function });
        if (it == functions.end())
            return width == 4 ? 0xFFFFFFFF : (1u << (8 * width)) - 1;
        u32 v = 0;
        std::memcpy(&v, it->second.bytes.data() + offset, width);
        return v;
    }

    void write(Address a, u16 offset, u8 width, u32 value) override
    {
        auto it = functions.find({ a.bus, a.device, a.function });
        if (it == functions.end())
            return;
        FakeFunction& f = it->second;
        if (offset >= reg::bar0 && offset < reg::bar0 + 24) {
            REQUIRE(width == 4);
            int index = (offset - reg::bar0) / 4;
            u16 decoding = u16(kstd::to_underlying(Command::IoSpace | Command::MemorySpace));
            if (value == 0xFFFFFFFF && (f.command() & decoding))
                ++bar_writes_while_decoding;
            f.set_dword(offset, (value & f.writable[index]) | f.fixed[index]);
            return;
        }
        if (offset == reg::command)
            ++command_writes;
        std::memcpy(f.bytes.data() + offset, &value, width);
    }
};

constexpr Address ADDR { 0, 0, 3, 0 };

std::array<Bar, MAX_BARS> bars_of(FakeConfig& config, u8 header_type = HEADER_NORMAL, bool keep = false)
{
    std::array<Bar, MAX_BARS> bars {};
    read_bars(config, ADDR, header_type, { bars.data(), bars.size() }, keep);
    return bars;
}

}

TEST_CASE("e1000-like BARs: 32-bit memory 128 KiB and 16-bit-decoded I/O 64 bytes", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 3, 0);
    f.bar(0, 0xfebc0000, 128 * KiB, 0);
    f.bar(1, 0xc000, 64, BAR_IO);
    f.writable[1] &= 0xFFFF;   // decodes 16 address bits: reads 0 above them
    auto before = f.bytes;

    auto bars = bars_of(config);
    CHECK(bars[0].kind == BarKind::Memory32);
    CHECK_FALSE(bars[0].prefetchable);
    CHECK(bars[0].address == 0xfebc0000);
    CHECK(bars[0].size == 128 * KiB);
    CHECK(bars[1].kind == BarKind::Io);
    CHECK(bars[1].address == 0xc000);
    CHECK(bars[1].size == 64);
    for (int i = 2; i < 6; ++i)
        CHECK(bars[i].kind == BarKind::Absent);

    CHECK(f.bytes == before);                  // every BAR and the command register restored
    CHECK(config.bar_writes_while_decoding == 0);
    CHECK(config.command_writes == 2);         // off, then back on
}

TEST_CASE("PIIX IDE-like function: BAR0-3 read 0 and are absent, BAR4 is I/O 16 bytes", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 3, 0, 0x8086, 0x7010);
    f.bar(4, 0xc040, 16, BAR_IO);
    auto bars = bars_of(config);
    for (int i = 0; i < 4; ++i) {
        CHECK(bars[i].kind == BarKind::Absent);
        CHECK_FALSE(bars[i].is_present());
    }
    CHECK(bars[4].kind == BarKind::Io);
    CHECK(bars[4].size == 16);
    CHECK(bars[4].address == 0xc040);
    CHECK(bars[5].kind == BarKind::Absent);
}

TEST_CASE("64-bit prefetchable BARs take two slots, also above 4 GiB and larger than 4 GiB", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 3, 0);
    f.bar(0, 0xfe000000, 16 * KiB, BAR_MEM_TYPE_64);
    f.bar(2, 0x800000000ull, 8 * GiB, BAR_MEM_TYPE_64 | BAR_MEM_PREFETCHABLE);
    f.bar(4, 0xfd000000, 16 * MiB, BAR_MEM_PREFETCHABLE);
    auto before = f.bytes;

    auto bars = bars_of(config);
    CHECK(bars[0].kind == BarKind::Memory64);
    CHECK(bars[0].size == 16 * KiB);
    CHECK(bars[0].address == 0xfe000000);
    CHECK_FALSE(bars[0].prefetchable);
    CHECK(bars[1].kind == BarKind::Memory64High);
    CHECK_FALSE(bars[1].is_present());
    CHECK(bars[2].kind == BarKind::Memory64);
    CHECK(bars[2].prefetchable);
    CHECK(bars[2].address == 0x800000000ull);
    CHECK(bars[2].size == 8 * GiB);
    CHECK(bars[3].kind == BarKind::Memory64High);
    CHECK(bars[4].kind == BarKind::Memory32);
    CHECK(bars[4].prefetchable);
    CHECK(bars[4].size == 16 * MiB);
    CHECK(bars[5].kind == BarKind::Absent);
    CHECK(f.bytes == before);
    CHECK(config.bar_writes_while_decoding == 0);
}

TEST_CASE("A 64-bit BAR in the last slot is malformed and reported absent", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 3, 0);
    f.writable[5] = 0xFFFFF000;
    f.fixed[5] = BAR_MEM_TYPE_64;
    f.set_dword(reg::bar0 + 20, 0xfe100000 | BAR_MEM_TYPE_64);
    auto bars = bars_of(config);
    CHECK(bars[5].kind == BarKind::Absent);
    CHECK(f.dword(reg::bar0 + 20) == (0xfe100000 | BAR_MEM_TYPE_64));
}

TEST_CASE("Bridges have two BARs; sizing leaves the rest of the header alone", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 6, 0, 0x1b36, 0x0001);
    f.bytes[reg::header_type] = HEADER_BRIDGE;
    f.bar(0, 0xfe200000, 256, 0);
    f.bytes[reg::primary_bus] = 0;
    f.bytes[reg::secondary_bus] = 1;
    f.bytes[reg::subordinate_bus] = 1;
    CHECK(bar_count(HEADER_BRIDGE) == 2);
    CHECK(bar_count(HEADER_NORMAL | HEADER_MULTIFUNCTION) == 6);
    CHECK(bar_count(HEADER_CARDBUS) == 0);
    std::array<Bar, MAX_BARS> bars {};
    bars[2].kind = BarKind::Io;   // slots past bar_count are not touched
    read_bars(config, Address { 0, 0, 6, 0 }, HEADER_BRIDGE, { bars.data(), bars.size() });
    CHECK(bars[0].kind == BarKind::Memory32);
    CHECK(bars[0].size == 256);
    CHECK(bars[1].kind == BarKind::Absent);
    CHECK(bars[2].kind == BarKind::Io);
    CHECK(f.bytes[reg::secondary_bus] == 1);
}

TEST_CASE("keep_decoding never writes the command register (host bridges)", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 3, 0);
    f.bar(0, 0xfebc0000, 4 * KiB, 0);
    auto bars = bars_of(config, HEADER_NORMAL, true);
    CHECK(bars[0].size == 4 * KiB);
    CHECK(config.command_writes == 0);
    CHECK(config.bar_writes_while_decoding == 6);   // every slot sized with decoding on
}

TEST_CASE("A function with decoding already off is not switched on by sizing", "[pci][bar]")
{
    FakeConfig config;
    auto& f = config.add(0, 3, 0);
    f.set16(reg::command, 0);
    f.bar(1, 0xc000, 64, BAR_IO);
    auto bars = bars_of(config);
    CHECK(bars[1].size == 64);
    CHECK(config.command_writes == 0);
    CHECK(f.command() == 0);
}

TEST_CASE("decode_bar on raw values", "[pci][bar]")
{
    CHECK(decode_bar(0, 0).kind == BarKind::Absent);
    CHECK(decode_bar(0xc001, 0xFFFFFFC1).size == 64);
    CHECK(decode_bar(0xc001, 0x0000FFC1).size == 64);
    CHECK(decode_bar(0x1, 0x1).kind == BarKind::Absent);   // I/O bit but no address bits
    Bar below_1m = decode_bar(0x000a0002, 0xFFFE0002);    // legacy "below 1 MiB" type: 32-bit
    CHECK(below_1m.kind == BarKind::Memory32);
    CHECK(below_1m.size == 128 * KiB);
    Bar huge = decode_bar(0x0000000c, 0x0000000c, 0x10, 0xFFFFFFF0);
    CHECK(huge.kind == BarKind::Memory64);
    CHECK(huge.address == 0x1000000000ull);
    CHECK(huge.size == 64 * GiB);
    CHECK(std::string(bar_kind_name(BarKind::Memory64)) == "mem64");
}

namespace {

// Capabilities as (offset, id, next) triples on function 00:03.0.
FakeFunction& with_caps(FakeConfig& config, u8 first, std::initializer_list<std::array<u8, 3>> caps, bool status_bit = true)
{
    auto& f = config.add(0, 3, 0);
    f.set16(reg::status, status_bit ? u16(kstd::to_underlying(Status::CapabilitiesList)) : 0);
    f.bytes[reg::capabilities] = first;
    for (auto const& c : caps) {
        f.bytes[c[0]] = c[1];
        f.bytes[c[0] + 1] = c[2];
    }
    return f;
}

}

TEST_CASE("Capability walk: PM -> MSI -> PCIe -> MSI-X", "[pci][caps]")
{
    FakeConfig config;
    with_caps(config, 0x40, { { 0x40, cap::power_management, 0x50 }, { 0x50, cap::msi, 0x60 },
                                { 0x60, cap::pci_express, 0xA0 }, { 0xA0, cap::msix, 0x00 } });
    auto list = read_capabilities(config, ADDR, HEADER_NORMAL);
    CHECK_FALSE(list.malformed);
    REQUIRE(list.count == 4);
    CHECK(list.entries[0].id == cap::power_management);
    CHECK(list.entries[0].offset == 0x40);
    CHECK(list.entries[3].id == cap::msix);
    CHECK(list.find(cap::msi) == 0x50);
    CHECK(list.find(cap::sata) == 0);
    CHECK(list.items().size() == 4);
    CHECK(std::string(capability_name(cap::msix)) == "MSI-X");
    CHECK(std::string(capability_name(cap::pci_express)) == "PCIe");
    CHECK(std::string(capability_name(cap::power_management)) == "PM");
    CHECK(std::string(capability_name(0xEE)) == "?");
}

TEST_CASE("Capability pointers ignore their two low bits", "[pci][caps]")
{
    FakeConfig config;
    with_caps(config, 0x43, { { 0x40, cap::msi, 0x53 }, { 0x50, cap::power_management, 0x00 } });
    auto list = read_capabilities(config, ADDR, HEADER_NORMAL);
    CHECK_FALSE(list.malformed);
    REQUIRE(list.count == 2);
    CHECK(list.entries[1].offset == 0x50);
}

TEST_CASE("Without the status bit there is no list, whatever the pointer says", "[pci][caps]")
{
    FakeConfig config;
    with_caps(config, 0x40, { { 0x40, cap::msi, 0x00 } }, false);
    auto list = read_capabilities(config, ADDR, HEADER_NORMAL);
    CHECK(list.count == 0);
    CHECK_FALSE(list.malformed);
}

TEST_CASE("A looping capability list stops and is reported malformed", "[pci][caps]")
{
    FakeConfig config;
    with_caps(config, 0x40, { { 0x40, cap::power_management, 0x50 }, { 0x50, cap::msi, 0x40 } });
    auto list = read_capabilities(config, ADDR, HEADER_NORMAL);
    CHECK(list.malformed);
    CHECK(list.count == 2);

    FakeConfig self_loop;
    with_caps(self_loop, 0x80, { { 0x80, cap::vendor_specific, 0x80 } });
    auto single = read_capabilities(self_loop, ADDR, HEADER_NORMAL);
    CHECK(single.malformed);
    CHECK(single.count == 1);
}

TEST_CASE("A capability pointer into the header is malformed", "[pci][caps]")
{
    FakeConfig config;
    with_caps(config, 0x40, { { 0x40, cap::power_management, 0x10 } });
    auto list = read_capabilities(config, ADDR, HEADER_NORMAL);
    CHECK(list.malformed);
    CHECK(list.count == 1);
}

TEST_CASE("A chain longer than the list holds stops at MAX", "[pci][caps]")
{
    FakeConfig config;
    auto& f = with_caps(config, 0x40, {});
    for (u16 offset = 0x40; offset <= 0xFC; offset += 4) {
        f.bytes[offset] = cap::vendor_specific;
        f.bytes[offset + 1] = offset == 0xFC ? 0 : u8(offset + 4);
    }
    auto list = read_capabilities(config, ADDR, HEADER_NORMAL);
    CHECK(list.malformed);
    CHECK(list.count == CapabilityList::MAX);
}

TEST_CASE("ID tables: vendor/device, wildcards, class with mask, first match wins", "[pci][match]")
{
    static constexpr PciId table[] = {
        { .vendor = 0x8086, .device = 0x100e, .driver_data = 82540 },
        { .vendor = 0x8086, .device = 0x10d3, .driver_data = 82574 },
        { .vendor = ANY_ID, .device = ANY_ID, .class_code = CLASS_IDE, .class_mask = CLASS_MASK_BASE_SUB, .driver_data = 1 },
        { .vendor = 0x8086, .device = ANY_ID, .class_code = CLASS_ETHERNET, .class_mask = CLASS_MASK_ALL, .driver_data = 2 },
    };
    Span<PciId const> ids { table };

    Identity e1000 { 0x8086, 0x100e, 0x020000 };
    Identity piix_ide { 0x8086, 0x7010, 0x010180 };
    Identity piix4_ide { 0x8086, 0x7111, 0x01018a };
    Identity other_nic { 0x8086, 0x1234, 0x020000 };
    Identity other_vendor_nic { 0x10ec, 0x8139, 0x020000 };
    Identity vga { 0x1234, 0x1111, 0x030000 };

    REQUIRE(match_id_table(ids, e1000) != nullptr);
    CHECK(match_id_table(ids, e1000)->driver_data == 82540);
    CHECK(match_id_table(ids, piix_ide)->driver_data == 1);
    CHECK(match_id_table(ids, piix4_ide)->driver_data == 1);       // prog-if masked out
    CHECK(match_id_table(ids, other_nic)->driver_data == 2);
    CHECK(match_id_table(ids, other_vendor_nic) == nullptr);
    CHECK(match_id_table(ids, vga) == nullptr);
    CHECK(match_id_table({}, e1000) == nullptr);

    // class_mask 0 ignores the class entirely; a full mask needs the exact prog-if.
    CHECK(id_matches({ .vendor = 0x8086, .device = 0x100e, .class_code = 0x0C0330 }, e1000));
    CHECK_FALSE(id_matches({ .vendor = ANY_ID, .device = ANY_ID, .class_code = 0x010180, .class_mask = CLASS_MASK_ALL }, piix4_ide));
    CHECK(id_matches({ .vendor = ANY_ID, .device = ANY_ID, .class_code = 0x010180, .class_mask = CLASS_MASK_ALL }, piix_ide));
    CHECK_FALSE(id_matches({ .vendor = 0x8086, .device = 0x100f }, e1000));
}

TEST_CASE("Class names for listings", "[pci][names]")
{
    CHECK(std::string(class_name(0x020000)) == "Ethernet controller");
    CHECK(std::string(class_name(0x010180)) == "IDE interface");
    CHECK(std::string(class_name(0x060000)) == "Host bridge");
    CHECK(std::string(class_name(0x060400)) == "PCI bridge");
    CHECK(std::string(class_name(0x0C0500)) == "SMBus");
    CHECK(std::string(class_name(0x0C8000)) == "Serial bus controller");   // base-class fallback
    CHECK(std::string(class_name(0xFE0000)) == "Unknown class");
}
