// e1000 hardware set-up: reset, the EEPROM and the MAC address, the link, interrupt throttling
// (8254x SDM sections 5, 13 and 14).
#include "e1000.h"
#include <kernel/printk.h>
#include <kernel/sched/thread.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace e1000 {

namespace {

// EERD answers within a few microseconds; a missing EEPROM never does.
constexpr u64 EEPROM_TIMEOUT_NS = 10 * time::NS_PER_MS;
// Microwire clock: the 93C46 takes 1 MHz at most (SK high and low at least 250 ns each);
// 2 us per half period leaves room for slow parts.
constexpr u64 MICROWIRE_HALF_PERIOD_NS = 2 * time::NS_PER_US;

ErrorOr<u16> eeprom_read_eerd(PciNic& nic, u8 word)
{
    io::MmioWindow regs = nic.rings.regs;
    regs.write(regs::eerd, eerd::START | u32(word) << eerd::ADDRESS_SHIFT);
    u64 deadline = time::now_ns() + EEPROM_TIMEOUT_NS;
    for (;;) {
        u32 value = regs.read(regs::eerd);
        if (value & eerd::DONE)
            return u16(value >> eerd::DATA_SHIFT);
        if (time::now_ns() > deadline)
            return Error::from_errno(ETIMEDOUT);
    }
}

// Microwire by hand (SDM 5.6.2): CS high, then for each bit: DI, SK high, SK low; the read
// opcode and the 6 address bits go out MSB first, 16 data bits come back MSB first on DO.
class Microwire {
public:
    explicit Microwire(io::MmioWindow regs) : m_regs(regs), m_eecd(regs.read(regs::eecd)) {}

    void select()
    {
        m_eecd = (m_eecd & ~(Eecd::Clock | Eecd::DataIn)) | Eecd::ChipSelect;
        write();
    }
    void deselect()
    {
        m_eecd = m_eecd & ~(Eecd::ChipSelect | Eecd::DataIn | Eecd::Clock);
        write();
    }
    void shift_out(u32 bits, unsigned count)
    {
        for (unsigned i = count; i-- > 0;) {
            m_eecd = (bits >> i) & 1 ? m_eecd | Eecd::DataIn : m_eecd & ~Eecd::DataIn;
            write();
            clock();
        }
        m_eecd = m_eecd & ~Eecd::DataIn;
        write();
    }
    u16 shift_in()
    {
        u16 value = 0;
        for (unsigned i = 0; i < 16; ++i) {
            raise_clock();
            value = u16(value << 1 | (has(m_regs.read(regs::eecd), Eecd::DataOut) ? 1 : 0));
            lower_clock();
        }
        return value;
    }

private:
    void write()
    {
        m_regs.write(regs::eecd, m_eecd);
        time::busy_wait_ns(MICROWIRE_HALF_PERIOD_NS);
    }
    void raise_clock()
    {
        m_eecd = m_eecd | Eecd::Clock;
        write();
    }
    void lower_clock()
    {
        m_eecd = m_eecd & ~Eecd::Clock;
        write();
    }
    void clock()
    {
        raise_clock();
        lower_clock();
    }

    io::MmioWindow m_regs;
    Eecd m_eecd;
};

ErrorOr<u16> eeprom_read_microwire(PciNic& nic, u8 word)
{
    if (!has(nic.rings.regs.read(regs::eecd), Eecd::Present))
        return Error::from_errno(EIO);
    Microwire wire(nic.rings.regs);
    wire.select();
    wire.shift_out(EEPROM_MICROWIRE_READ, 3);
    wire.shift_out(word, EEPROM_ADDRESS_BITS);
    u16 value = wire.shift_in();
    wire.deselect();
    return value;
}

}

ErrorOr<u16> eeprom_read(PciNic& nic, u8 word)
{
    if (word >= EEPROM_WORDS)
        return Error::from_errno(EINVAL);
    return nic.variant.has_eerd ? eeprom_read_eerd(nic, word) : eeprom_read_microwire(nic, word);
}

ErrorOr<void> hw_reset(PciNic& nic)
{
    io::MmioWindow regs = nic.rings.regs;
    regs.write(regs::imc, Interrupt::All);
    regs.write(regs::rctl, Rctl::None);
    regs.write(regs::tctl, Tctl::PadShortPackets);
    (void)regs.read(regs::status);   // flush the writes before the pause
    sched::sleep_for(10 * time::NS_PER_MS);   // let DMA in progress finish (as Linux does)
    regs.write(regs::ctrl, regs.read(regs::ctrl) | Ctrl::Reset);
    sched::sleep_for(5 * time::NS_PER_MS);    // the reset reloads the EEPROM defaults (SDM 14.3)
    if (has(regs.read(regs::ctrl), Ctrl::Reset))
        return Error::from_errno(EIO);        // RST is self-clearing: the chip did not reset
    regs.write(regs::imc, Interrupt::All);    // the reset may have left causes enabled
    (void)regs.read(regs::icr);               // and pending: reading ICR clears them
    sched::SpinlockGuard guard(nic.irq_lock);
    nic.ims = Interrupt::None;
    return {};
}

ErrorOr<void> hw_load_mac(PciNic& nic)
{
    u16 words[EEPROM_WORDS];
    u16 sum = 0;
    for (u8 i = 0; i < EEPROM_WORDS; ++i) {
        words[i] = TRY(eeprom_read(nic, i));
        sum = u16(sum + words[i]);
    }
    if (sum != EEPROM_CHECKSUM_SUM) {
        log_error("e1000: %s: EEPROM checksum %#x, expected %#x\n", nic.name, sum, EEPROM_CHECKSUM_SUM);
        return Error::from_errno(EIO);
    }
    for (int i = 0; i < 3; ++i) {
        nic.mac.bytes[2 * i] = u8(words[i]);
        nic.mac.bytes[2 * i + 1] = u8(words[i] >> 8);
    }
    u8 const* m = nic.mac.bytes;
    io::MmioWindow regs = nic.rings.regs;
    regs.write(regs::ral0, u32(m[0]) | u32(m[1]) << 8 | u32(m[2]) << 16 | u32(m[3]) << 24);
    regs.write(regs::rah0, u32(m[4]) | u32(m[5]) << 8 | RAH_ADDRESS_VALID);
    for (u32 i = 0; i < regs::MTA_ENTRIES; ++i)
        regs.write32(regs::MTA_BASE + 4 * i, 0);
    return {};
}

void hw_setup_link(PciNic& nic)
{
    io::MmioWindow regs = nic.rings.regs;
    Ctrl ctrl = regs.read(regs::ctrl);
    ctrl = (ctrl | Ctrl::SetLinkUp | Ctrl::AutoSpeedDetect) & ~(Ctrl::LinkReset | Ctrl::InvertLossOfSignal | Ctrl::PhyReset);
    regs.write(regs::ctrl, ctrl);
    nic.link_up = has(regs.read(regs::status), Status::LinkUp);
}

void hw_update_link(PciNic& nic)
{
    Status status = nic.rings.regs.read(regs::status);
    bool up = has(status, Status::LinkUp);
    if (nic.device())
        netdev::set_carrier(*nic.device(), up);
    if (up == nic.link_up)
        return;
    nic.link_up = up;
    if (!up) {
        log_info("e1000: %s: link down\n", nic.name);
        return;
    }
    Status speed = status & Status::SpeedMask;
    log_info("e1000: %s: link up, %s Mb/s %s duplex\n", nic.name,
             speed == Status::None ? "10" : speed == Status::Speed100 ? "100" : "1000",
             has(status, Status::FullDuplex) ? "full" : "half");
}

void hw_set_itr(PciNic& nic, u32 rate)
{
    nic.itr_rate = rate;
    u32 interval = 0;
    if (rate != 0)
        interval = u32(kstd::min<u64>(ITR_MAX, time::NS_PER_S / (u64(rate) * ITR_UNIT_NS)));
    nic.rings.regs.write(regs::itr, interval);
}

void hw_read_drop_counters(PciNic& nic)
{
    nic.missed_packets += nic.rings.regs.read(regs::mpc);
    nic.no_buffer_packets += nic.rings.regs.read(regs::rnbc);
}

}
