// Core tests of the I/O manager (kernel/io): port and MMIO reservations (conflicts, release,
// sharing), the boot reservations, register windows on real QEMU devices (COM1's scratch
// register, the HPET at 0xfed00000), cache policies read back from the page tables, and the
// `ioports`/`iomem` listings.
#include <kernel/bus/platform.h>
#include <kernel/io/io.h>
#include <kernel/monitor.h>
#include <kernel/mm/paging.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 HPET_PHYS = 0xfed00000;   // present on pc and q35 (ACPI HPET table)
constexpr u16 FREE_PORTS = 0x240;       // nothing decodes 0x240-0x24f on QEMU's pc or q35

namespace hpet {   // IA-PC HPET specification 1.0a, section 2.3.4 (register map)
inline constexpr io::Reg<u32, 0x000> capabilities_low {};   // revision, timer count, vendor
inline constexpr io::Reg<u64, 0x000> capabilities {};
inline constexpr io::Reg<u64, 0x010> configuration {};
}

namespace uart {   // PC16550D: the scratch register keeps whatever was written
inline constexpr io::Reg<u8, 7> scratch {};
}

bool owner_is(io::ResourceInfo const& info, char const* owner)
{
    return kstd::StringView(info.owner) == kstd::StringView(owner);
}

// The reservation starting at `start` owned by `owner`, from a listing.
io::ResourceInfo const* find(Span<io::ResourceInfo const> list, u64 start, char const* owner)
{
    for (auto const& info : list) {
        if (info.start == start && owner_is(info, owner))
            return &info;
    }
    return nullptr;
}

}

KTEST(io_ports_reserve_conflict_release, CORE_SUITE)
{
    io::reserve_fixed_ranges();
    auto a = EXPECT_OK(io::reserve_ports(FREE_PORTS, 8, "ktest a"));
    EXPECT(a.is_valid());
    EXPECT_EQ(a.base(), FREE_PORTS);
    EXPECT_EQ(a.length(), 8u);
    EXPECT_ERROR(io::reserve_ports(FREE_PORTS, 8, "ktest again"), EBUSY);
    EXPECT_ERROR(io::reserve_ports(FREE_PORTS + 4, 8, "ktest right"), EBUSY);
    EXPECT_ERROR(io::reserve_ports(FREE_PORTS - 4, 5, "ktest left"), EBUSY);
    EXPECT_ERROR(io::reserve_ports(FREE_PORTS + 2, 1, "ktest inside"), EBUSY);
    EXPECT_ERROR(io::reserve_ports(FREE_PORTS - 8, 32, "ktest around"), EBUSY);
    // Adjacent on both sides is fine.
    auto below = EXPECT_OK(io::reserve_ports(FREE_PORTS - 4, 4, "ktest below"));
    auto above = EXPECT_OK(io::reserve_ports(FREE_PORTS + 8, 4, "ktest above"));

    // Released ranges (explicitly, by moving over, or by the destructor) can be reserved again.
    a.release();
    EXPECT(!a.is_valid());
    auto b = EXPECT_OK(io::reserve_ports(FREE_PORTS + 2, 2, "ktest b"));
    {
        io::PortRange moved = kstd::move(b);
        EXPECT(!b.is_valid());
        EXPECT_ERROR(io::reserve_ports(FREE_PORTS + 2, 2, "ktest c"), EBUSY);
    }
    auto c = EXPECT_OK(io::reserve_ports(FREE_PORTS + 2, 2, "ktest c"));

    EXPECT_ERROR(io::reserve_ports(0x300, 0, "ktest empty"), EINVAL);
    EXPECT_ERROR(io::reserve_ports(0xFFFF, 2, "ktest wraps"), EINVAL);
    // The kernel's own ports are taken.
    EXPECT_ERROR(io::reserve_ports(0xE9, 1, "ktest debugcon"), EBUSY);
    EXPECT_ERROR(io::reserve_ports(0x42, 1, "ktest pit"), EBUSY);
    return {};
}

KTEST(io_ports_shared_and_window, CORE_SUITE)
{
    io::reserve_fixed_ranges();
    // COM1 is the early console's, shared: another shared user may join, an exclusive one not.
    EXPECT_ERROR(io::reserve_ports(0x3F8, 8, "ktest uart"), EBUSY);
    auto uart = EXPECT_OK(io::reserve_ports(0x3F8, 8, "ktest uart", io::Sharing::Shared));
    auto again = EXPECT_OK(io::reserve_ports(0x3FC, 2, "ktest uart 2", io::Sharing::Shared));
    // A shared request next to an exclusive range still conflicts with it.
    auto mine = EXPECT_OK(io::reserve_ports(FREE_PORTS, 4, "ktest excl"));
    EXPECT_ERROR(io::reserve_ports(FREE_PORTS, 4, "ktest shared", io::Sharing::Shared), EBUSY);

    // Typed register access through the window: the 16550 scratch register echoes.
    io::PortWindow window = uart.window();
    EXPECT_EQ(window.base(), 0x3F8u);
    u8 saved = window.read(uart::scratch);
    window.write(uart::scratch, u8(0x5A));
    EXPECT_EQ(window.read(uart::scratch), 0x5Au);
    window.write8(7, 0xA5);
    EXPECT_EQ(window.read8(7), 0xA5u);
    window.write(uart::scratch, saved);
    return {};
}

KTEST(io_fixed_ranges_registered, CORE_SUITE)
{
    io::reserve_fixed_ranges();
    io::reserve_fixed_ranges();   // idempotent: no duplicates, no warnings
    static io::ResourceInfo ports[64];
    usize count = io::list_ports(ports);
    EXPECT(count <= 64);
    Span<io::ResourceInfo const> list(ports, count);
    struct Expected {
        u16 base;
        u16 length;
        char const* owner;
        io::Sharing sharing;
    };
    constexpr Expected expected[] = {
        { 0x20, 2, "8259 PIC master", io::Sharing::Exclusive }, { 0xA0, 2, "8259 PIC slave", io::Sharing::Exclusive },
        { 0x40, 4, "8254 PIT", io::Sharing::Exclusive }, { 0xE9, 1, "debugcon", io::Sharing::Exclusive },
        { 0xF4, 4, "isa-debug-exit", io::Sharing::Exclusive }, { 0x4D0, 2, "ELCR", io::Sharing::Exclusive },
        { 0x510, 2, "QEMU fw_cfg", io::Sharing::Exclusive }, { 0x3F8, 8, "early console", io::Sharing::Shared },
        { 0xCF8, 8, "PCI conf1", io::Sharing::Exclusive },
    };
    for (auto const& e : expected) {
        auto const* info = find(list, e.base, e.owner);
        EXPECT_MSG(info, "no boot reservation %#x '%s' in the port list", e.base, e.owner);
        EXPECT_EQ(info->length, e.length);
        EXPECT(info->fixed);
        EXPECT(info->sharing == e.sharing);
    }
    for (usize i = 1; i < count; ++i)
        EXPECT_MSG(ports[i - 1].start <= ports[i].start, "port list not sorted at %zu", i);

    // The APIC pages come from the MADT; the LAPIC page cannot be mapped by anyone else.
    static io::ResourceInfo mmio[32];
    usize mmio_count = io::list_mmio(mmio);
    Span<io::ResourceInfo const> mmio_list(mmio, kstd::min<usize>(mmio_count, 32));
    EXPECT(find(mmio_list, 0xfee00000, "Local APIC"));
    EXPECT(find(mmio_list, 0xfec00000, "IOAPIC 0"));
    EXPECT_ERROR(io::map_mmio(0xfee00000, 0x400, io::CachePolicy::Uncached, "ktest lapic"), EBUSY);

    // A driver taking COM1 over: drop the early console's claim, then reserve exclusively.
    // The real UART driver holds COM1 (shared) at boot, so it steps aside for the demonstration.
    auto* com1 = platform::find("serial8250", 0);
    bool com1_was_bound = com1 && com1->driver();
    if (com1_was_bound)
        EXPECT_OK(platform::unbind(*com1));
    EXPECT_ERROR(io::release_fixed_ports(0x3F8, "nobody"), ENOENT);
    EXPECT_OK(io::release_fixed_ports(0x3F8, "early console"));
    {
        auto uart = EXPECT_OK(io::reserve_ports(0x3F8, 8, "ktest ttyS0"));
    }
    io::reserve_fixed_ranges();   // puts the boot reservation back
    EXPECT_ERROR(io::reserve_ports(0x3F8, 8, "ktest ttyS0"), EBUSY);
    if (com1_was_bound)
        EXPECT(platform::probe_device(*com1));
    return {};
}

KTEST(io_mmio_reserve_share_and_window, CORE_SUITE)
{
    io::reserve_fixed_ranges();
    auto hpet_regs = EXPECT_OK(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::Uncached, "ktest hpet"));
    EXPECT_EQ(hpet_regs.phys(), HPET_PHYS);
    EXPECT_EQ(hpet_regs.length(), 0x400u);
    EXPECT(hpet_regs.virt() >= mm::MMIO_BASE && hpet_regs.virt() < mm::MMIO_LIMIT);
    EXPECT_ERROR(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::Uncached, "ktest again"), EBUSY);
    EXPECT_ERROR(io::map_mmio(HPET_PHYS + 0x3F0, 0x20, io::CachePolicy::Uncached, "ktest tail"), EBUSY);
    EXPECT_ERROR(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::Uncached, "ktest shared", io::Sharing::Shared),
                 EBUSY);

    // The window reads the device: GCAP_ID has vendor 0x8086 in bits 16-31 on QEMU.
    io::MmioWindow window = hpet_regs.window();
    EXPECT_EQ(window.read(hpet::capabilities_low) >> 16, 0x8086u);
    EXPECT_EQ(u32(window.read(hpet::capabilities)), window.read(hpet::capabilities_low));
    EXPECT_EQ(window.read32(0), window.read(hpet::capabilities_low));
    u64 configuration = window.read(hpet::configuration);
    window.write(hpet::configuration, configuration);   // unchanged: the HPET stays as it was

    // Released, it can be mapped again, now shared by two users of the same cache type.
    hpet_regs.release();
    EXPECT(!hpet_regs.is_valid());
    auto one = EXPECT_OK(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::Uncached, "ktest one", io::Sharing::Shared));
    auto two = EXPECT_OK(io::map_mmio(HPET_PHYS, 0x100, io::CachePolicy::Uncached, "ktest two", io::Sharing::Shared));
    EXPECT_NE(one.virt(), two.virt());
    EXPECT_EQ(two.window().read(hpet::capabilities_low), one.window().read(hpet::capabilities_low));
    // Another memory type for the same bytes would be an alias with undefined behaviour.
    EXPECT_ERROR(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::WriteCombining, "ktest wc", io::Sharing::Shared),
                 EBUSY);
    EXPECT_ERROR(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::Uncached, "ktest excl"), EBUSY);

    EXPECT_ERROR(io::map_mmio(HPET_PHYS, 0, io::CachePolicy::Uncached, "ktest empty"), EINVAL);
    // RAM with a non-write-back type is refused by mm (aliasing with the direct map), and the
    // failed mapping leaves no reservation behind.
    EXPECT_ERROR(io::map_mmio(16 * MiB, 0x1000, io::CachePolicy::Uncached, "ktest ram"), EINVAL);
    auto ram = EXPECT_OK(io::map_mmio(16 * MiB, 0x1000, io::CachePolicy::WriteBack, "ktest ram"));
    return {};
}

// Each cache policy, requested through the I/O manager, is what the page tables say afterwards
// (PAT index decoded against IA32_PAT by mm::cache_policy_of). One at a time: two live
// mappings of the HPET with different types would be an alias.
KTEST(io_mmio_cache_policy_readback, CORE_SUITE)
{
    constexpr io::CachePolicy policies[] = { io::CachePolicy::Uncached, io::CachePolicy::WriteCombining,
        io::CachePolicy::WriteThrough, io::CachePolicy::WriteBack };
    for (auto policy : policies) {
        auto region = EXPECT_OK(io::map_mmio(HPET_PHYS, 0x400, policy, "ktest pat"));
        EXPECT_EQ(region.policy(), policy);
        auto actual = EXPECT_OK(mm::cache_policy_of(region.virt()));
        EXPECT_MSG(actual == policy, "%s mapping reads back as %s", mm::cache_policy_name(policy),
                   mm::cache_policy_name(actual));
        u64 virt = region.virt();
        region.release();
        EXPECT_ERROR(mm::translate(virt), ENOENT);   // unmapped with the reservation
    }
    return {};
}

// The listings print (their content is checked by the rubric's expect patterns).
KTEST(io_monitor_listings, CORE_SUITE)
{
    io::reserve_fixed_ranges();
    auto hpet_regs = EXPECT_OK(io::map_mmio(HPET_PHYS, 0x400, io::CachePolicy::Uncached, "ktest hpet"));
    EXPECT(monitor::execute(kstd::StringView("ioports")));
    EXPECT(monitor::execute(kstd::StringView("iomem")));
    EXPECT(monitor::execute(kstd::StringView("dma")));
    return {};
}
