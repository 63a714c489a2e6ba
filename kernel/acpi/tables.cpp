// ACPI root tables, checksums, the table directory, the FADT and the MCFG (ACPI 6.5 section 5.2;
// MCFG: PCI Firmware Specification 3.2 section 4.1.2). Portable code: it is also built into the
// host unit tests (tests/unit/acpi_*_test.cpp), so it reaches memory only through spans and the
// PhysReader it is given.
#include <kernel/acpi/tables.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace acpi {

namespace detail {

u16 read16(ReadonlyBytes bytes, usize offset)
{
    u16 v;
    memcpy(&v, bytes.data() + offset, sizeof(v));
    return v;
}

u32 read32(ReadonlyBytes bytes, usize offset)
{
    u32 v;
    memcpy(&v, bytes.data() + offset, sizeof(v));
    return v;
}

u64 read64(ReadonlyBytes bytes, usize offset)
{
    u64 v;
    memcpy(&v, bytes.data() + offset, sizeof(v));
    return v;
}

}

namespace {

// Tables larger than this are treated as corrupt: the largest on QEMU (the DSDT) is ~8 KiB,
// and a wild length must not make the kernel checksum megabytes of unrelated memory.
constexpr u32 MAX_TABLE_LENGTH = 1 * MiB;

bool signature_is(ReadonlyBytes table, char const* signature)
{
    return table.size() >= 4 && memcmp(table.data(), signature, 4) == 0;
}

// Reads a table's header, then the whole table, through the reader. Empty when unreachable.
ReadonlyBytes read_table(u64 phys, PhysReader reader, void* ctx)
{
    if (phys == 0)
        return {};
    ReadonlyBytes header = reader(phys, sizeof(SdtHeader), ctx);
    if (header.size() < sizeof(SdtHeader))
        return {};
    u32 length = detail::read32(header, 4);
    if (length < sizeof(SdtHeader) || length > MAX_TABLE_LENGTH)
        return {};
    return reader(phys, length, ctx);
}

}

u8 checksum(ReadonlyBytes bytes)
{
    u8 sum = 0;
    for (u8 b : bytes)
        sum = u8(sum + b);
    return sum;
}

Signature signature_of(ReadonlyBytes table)
{
    Signature s { { '?', '?', '?', '?', '\0' } };
    for (usize i = 0; i < 4 && i < table.size(); ++i) {
        char c = char(table[i]);
        s.text[i] = (c >= 0x20 && c < 0x7f) ? c : '?';
    }
    return s;
}

ErrorOr<void> validate_table(ReadonlyBytes table)
{
    if (table.size() < sizeof(SdtHeader))
        return Error::from_errno(EINVAL);
    u32 length = detail::read32(table, 4);
    if (length < sizeof(SdtHeader) || length > table.size())
        return Error::from_errno(EINVAL);
    if (checksum(table.first(length)) != 0)
        return Error::from_errno(EBADMSG);
    return {};
}

ErrorOr<RootPointer> parse_rsdp(ReadonlyBytes rsdp)
{
    if (rsdp.size() < RSDP_V1_SIZE || memcmp(rsdp.data(), "RSD PTR ", 8) != 0)
        return Error::from_errno(EINVAL);
    if (checksum(rsdp.first(RSDP_V1_SIZE)) != 0)
        return Error::from_errno(EBADMSG);
    RootPointer root { rsdp[15], detail::read32(rsdp, 16), 0 };
    if (root.revision < 2)
        return root;
    // ACPI 2.0+: the extended part must be present and sum to zero as a whole.
    if (rsdp.size() < sizeof(Rsdp))
        return Error::from_errno(EINVAL);
    u32 length = detail::read32(rsdp, 20);
    if (length < sizeof(Rsdp) || length > rsdp.size())
        return Error::from_errno(EINVAL);
    if (checksum(rsdp.first(length)) != 0)
        return Error::from_errno(EBADMSG);
    root.xsdt_phys = detail::read64(rsdp, 24);
    return root;
}

void TableDirectory::add(u64 phys, PhysReader reader, void* ctx)
{
    ReadonlyBytes table = read_table(phys, reader, ctx);
    if (table.empty() || validate_table(table).is_error()) {
        ++m_rejected;
        return;
    }
    if (m_count == MAX_TABLES) {
        ++m_rejected;
        return;
    }
    Entry& e = m_entries[m_count++];
    e.phys = phys;
    e.length = detail::read32(table, 4);
    memcpy(e.signature, table.data(), 4);
}

ErrorOr<void> TableDirectory::load(RootPointer root, PhysReader reader, void* ctx)
{
    m_count = m_rejected = 0;
    // Prefer the XSDT (64-bit pointers) when the firmware offers one; an ACPI 2.0 RSDP whose
    // XSDT is broken still has a usable RSDT, as Linux also assumes.
    ReadonlyBytes root_table;
    usize pointer_size = 4;
    if (root.revision >= 2 && root.xsdt_phys) {
        root_table = read_table(root.xsdt_phys, reader, ctx);
        if (!root_table.empty() && !validate_table(root_table).is_error() && signature_is(root_table, "XSDT"))
            pointer_size = 8;
        else
            root_table = {};
    }
    if (root_table.empty()) {
        root_table = read_table(root.rsdt_phys, reader, ctx);
        if (root_table.empty() || validate_table(root_table).is_error() || !signature_is(root_table, "RSDT"))
            return Error::from_errno(ENOENT);
    }
    m_uses_xsdt = pointer_size == 8;

    usize length = detail::read32(root_table, 4);
    for (usize off = sizeof(SdtHeader); off + pointer_size <= length; off += pointer_size) {
        u64 phys = pointer_size == 8 ? detail::read64(root_table, off) : detail::read32(root_table, off);
        add(phys, reader, ctx);
    }

    // The DSDT is not in the root table; only the FADT points at it.
    if (auto facp = find("FACP"); facp.has_value()) {
        FadtInfo fadt;
        if (!parse_fadt(reader(facp->phys, facp->length, ctx), fadt).is_error() && fadt.dsdt_phys)
            add(fadt.dsdt_phys, reader, ctx);
    }
    return {};
}

Optional<TableDirectory::Entry> TableDirectory::find(char const* signature, usize instance) const
{
    for (usize i = 0; i < m_count; ++i) {
        if (memcmp(m_entries[i].signature, signature, 4) != 0)
            continue;
        if (instance-- == 0)
            return m_entries[i];
    }
    return kstd::nullopt;
}

ErrorOr<void> parse_fadt(ReadonlyBytes table, FadtInfo& out)
{
    TRY(validate_table(table));
    if (!signature_is(table, "FACP"))
        return Error::from_errno(EINVAL);
    usize length = detail::read32(table, 4);
    // ACPI 1.0's FADT is 116 bytes; everything up to and including the flags field is there.
    constexpr usize FLAGS_END = 116, DSDT = 40, SCI_INT = 46, PM_TMR_BLK = 76, BOOT_ARCH = 109,
                    FLAGS = 112, X_DSDT = 140;
    if (length < FLAGS_END)
        return Error::from_errno(EINVAL);
    out = FadtInfo {};
    out.revision = table[8];
    out.sci_irq = detail::read16(table, SCI_INT);
    out.pm_timer_port = detail::read32(table, PM_TMR_BLK);
    out.flags = detail::read32(table, FLAGS);
    out.dsdt_phys = detail::read32(table, DSDT);
    if (length >= X_DSDT + 8 && detail::read64(table, X_DSDT) != 0)
        out.dsdt_phys = detail::read64(table, X_DSDT);
    // In ACPI 1.0 the IAPC_BOOT_ARCH bytes were reserved, so only trust them from revision 2.
    out.has_boot_arch = out.revision >= 2;
    if (out.has_boot_arch)
        out.boot_arch = detail::read16(table, BOOT_ARCH);
    return {};
}

ErrorOr<void> parse_mcfg(ReadonlyBytes table, McfgInfo& out)
{
    TRY(validate_table(table));
    if (!signature_is(table, "MCFG"))
        return Error::from_errno(EINVAL);
    usize length = detail::read32(table, 4);
    // Header, 8 reserved bytes, then 16-byte allocation entries.
    constexpr usize FIRST_ENTRY = sizeof(SdtHeader) + 8, ENTRY_SIZE = 16;
    if (length < FIRST_ENTRY || (length - FIRST_ENTRY) % ENTRY_SIZE != 0)
        return Error::from_errno(EINVAL);
    out = McfgInfo {};
    for (usize off = FIRST_ENTRY; off + ENTRY_SIZE <= length; off += ENTRY_SIZE) {
        McfgRegion region { detail::read64(table, off), detail::read16(table, off + 8), table[off + 10],
                            table[off + 11] };
        if (region.end_bus < region.start_bus)
            return Error::from_errno(EINVAL);
        if (out.region_count == McfgInfo::MAX_REGIONS)
            return Error::from_errno(E2BIG);
        out.regions[out.region_count++] = region;
    }
    return {};
}

}
