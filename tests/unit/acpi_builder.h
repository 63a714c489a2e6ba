#pragma once
// Builds ACPI tables byte by byte for the acpi_*_test.cpp host tests: little-endian fields,
// the header's length and checksum fixed up at the end, like firmware would.
#include <kernel/acpi/madt.h>
#include <cstring>
#include <string>
#include <vector>

namespace acpi_test {

class TableBuilder {
public:
    explicit TableBuilder(char const* signature, unsigned revision = 1)
    {
        m_bytes.assign(sizeof(acpi::SdtHeader), 0);
        std::memcpy(m_bytes.data(), signature, 4);
        m_bytes[8] = static_cast<u8>(revision);
        std::memcpy(m_bytes.data() + 10, "CNDUIT", 6);
    }
    TableBuilder& u8_(unsigned v) { m_bytes.push_back(static_cast<u8>(v)); return *this; }
    TableBuilder& u16_(unsigned v) { return put(v, 2); }
    TableBuilder& u32_(unsigned long long v) { return put(v, 4); }
    TableBuilder& u64_(unsigned long long v) { return put(v, 8); }
    TableBuilder& zeros(size_t n) { m_bytes.insert(m_bytes.end(), n, 0); return *this; }

    // Length and checksum filled in; `corrupt_checksum` leaves the sum off by one.
    std::vector<u8> build(bool corrupt_checksum = false) const
    {
        std::vector<u8> out = m_bytes;
        u32 length = static_cast<u32>(out.size());
        std::memcpy(out.data() + 4, &length, 4);
        out[9] = 0;
        u8 sum = 0;
        for (u8 b : out)
            sum = static_cast<u8>(sum + b);
        out[9] = static_cast<u8>(-sum + (corrupt_checksum ? 1 : 0));
        return out;
    }

private:
    TableBuilder& put(unsigned long long v, int bytes)
    {
        for (int i = 0; i < bytes; ++i)
            m_bytes.push_back(static_cast<u8>(v >> (8 * i)));
        return *this;
    }
    std::vector<u8> m_bytes;
};

inline ReadonlyBytes span_of(std::vector<u8> const& v) { return { v.data(), v.size() }; }

// The MADT QEMU 7.2 builds for one CPU (qemu-platform-facts.md section 2): LAPIC at
// 0xfee00000, PCAT_COMPAT, one IOAPIC at 0xfec00000 with GSI base 0, ISO 0->2 and
// 5/9/10/11 level active-high, LAPIC NMI on LINT1 for all processors.
inline TableBuilder qemu_madt()
{
    TableBuilder t("APIC", 1);
    t.u32_(0xfee00000).u32_(1);
    t.u8_(0).u8_(8).u8_(0).u8_(0).u32_(1);                      // LAPIC uid 0, id 0, enabled
    t.u8_(1).u8_(12).u8_(0).u8_(0).u32_(0xfec00000).u32_(0);    // IOAPIC id 0
    t.u8_(2).u8_(10).u8_(0).u8_(0).u32_(2).u16_(0);             // ISO irq 0 -> gsi 2
    for (unsigned irq : { 5u, 9u, 10u, 11u })
        t.u8_(2).u8_(10).u8_(0).u8_(irq).u32_(irq).u16_(0xd);   // level, active-high
    t.u8_(4).u8_(6).u8_(0xff).u16_(0).u8_(1);                   // LAPIC NMI, LINT1
    return t;
}

}
