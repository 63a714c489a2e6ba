// PCI configuration mechanism #1 through ports 0xCF8/0xCFC (PCI Local Bus Specification 3.0,
// section 3.2.2.3.2). CONFIG_ADDRESS: bit 31 enable, bits 23-16 bus, 15-11 device, 10-8
// function, 7-2 dword register. The byte or word wanted is read from 0xCFC + (offset & 3),
// so 8- and 16-bit writes never touch the neighbouring bytes (the status register shares a
// dword with the command register and has write-1-to-clear bits).
#include <arch/cpu.h>
#include <arch/pci_config.h>
#include <kstd/error.h>
#include <kstd/enforce.h>

namespace arch {

namespace {

constexpr u16 CONFIG_ADDRESS = 0xCF8;
constexpr u16 CONFIG_DATA = 0xCFC;
constexpr u32 ENABLE = 1u << 31;

u32 address_of(u8 bus, u8 device, u8 function, u16 offset)
{
    return ENABLE | (u32(bus) << 16) | (u32(device & 0x1F) << 11) | (u32(function & 0x7) << 8) | (offset & 0xFC);
}

void check_access(u8 device, u8 function, u16 offset, u8 width)
{
    VERIFY(device < 32 && function < 8);
    VERIFY(width == 1 || width == 2 || width == 4);
    VERIFY(offset < 256 && (offset & (width - 1)) == 0);
}

// Interrupts off for the address/data pair.
class Atomic {
public:
    Atomic() : m_were_enabled(interrupts_enabled()) { disable_interrupts(); }
    ~Atomic()
    {
        if (m_were_enabled)
            enable_interrupts();
    }
    Atomic(Atomic const&) = delete;
    Atomic& operator=(Atomic const&) = delete;

private:
    bool m_were_enabled;
};

}

bool pci_config_ports_present()
{
    Atomic atomic;
    u32 saved = in32(CONFIG_ADDRESS);
    out32(CONFIG_ADDRESS, ENABLE);
    bool present = in32(CONFIG_ADDRESS) == ENABLE;
    out32(CONFIG_ADDRESS, saved);
    return present;
}

u32 pci_config_read(u8 bus, u8 device, u8 function, u16 offset, u8 width)
{
    check_access(device, function, offset, width);
    Atomic atomic;
    out32(CONFIG_ADDRESS, address_of(bus, device, function, offset));
    u16 port = u16(CONFIG_DATA + (offset & 3));
    switch (width) {
    case 1:
        return in8(port);
    case 2:
        return in16(port);
    default:
        return in32(port);
    }
}

void pci_config_write(u8 bus, u8 device, u8 function, u16 offset, u8 width, u32 value)
{
    check_access(device, function, offset, width);
    Atomic atomic;
    out32(CONFIG_ADDRESS, address_of(bus, device, function, offset));
    u16 port = u16(CONFIG_DATA + (offset & 3));
    switch (width) {
    case 1:
        out8(port, u8(value));
        break;
    case 2:
        out16(port, u16(value));
        break;
    default:
        out32(port, value);
        break;
    }
}

}
