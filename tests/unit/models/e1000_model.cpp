// The e1000 model (e1000_model.h): registers, rings, DMA and the interrupt line.
#include "e1000_model.h"
#include "clock.h"
#include "phys_memory.h"
#include <kernel/io/dma.h>
#include <cstdio>
#include <cstring>

namespace models {

namespace {

// Register offsets (8254x SDM Table 13-2). The model keeps its own list rather than the driver's.
enum : u32 {
    CTRL = 0x0000, STATUS = 0x0008, ICR = 0x00C0, ICS = 0x00C8, IMS = 0x00D0, IMC = 0x00D8,
    RCTL = 0x0100, TCTL = 0x0400,
    RDBAL = 0x2800, RDBAH = 0x2804, RDLEN = 0x2808, RDH = 0x2810, RDT = 0x2818,
    TDBAL = 0x3800, TDBAH = 0x3804, TDLEN = 0x3808, TDH = 0x3810, TDT = 0x3818,
    MPC = 0x4010, RNBC = 0x40A0,
};
constexpr u32 CTRL_RST = 1u << 26;
constexpr u32 STATUS_UP = 0x80080783;        // LU, FD, 1000 Mb/s (what QEMU reports)
constexpr u32 RCTL_EN = 1u << 1, TCTL_EN = 1u << 1;
constexpr u32 TXDW = 1u << 0, TXQE = 1u << 1, LSC = 1u << 2, RXDMT0 = 1u << 4, RXO = 1u << 6, RXT0 = 1u << 7;
constexpr u8 CMD_EOP = 1u << 0, CMD_RS = 1u << 3;
constexpr u8 STAT_DD = 1u << 0, STAT_EOP = 1u << 1;
constexpr u32 RX_BUFFER = 2048;
constexpr usize MIN_FRAME = 60;

u64 read64(u8 const* p)
{
    u64 v;
    std::memcpy(&v, p, 8);
    return v;
}

u16 read16(u8 const* p) { return u16(p[0] | p[1] << 8); }

}

E1000Model::E1000Model() { reset(); }
E1000Model::~E1000Model()
{
    if (m_tx_event)
        clock().cancel(m_tx_event);
    mmio_bus().detach(*this);
}

void E1000Model::attach() { mmio_bus().attach(BAR, LENGTH, *this, "e1000"); }

void E1000Model::reset()
{
    std::memset(m_regs, 0, sizeof(m_regs));
    m_tx_fetch = 0;
    m_fetched.clear();
    m_pending_frame.clear();
    update_line();
}

void E1000Model::violation(std::string text) { violations.push_back(std::move(text)); }

u64 E1000Model::ring_base(u32 low, u32 high) const { return u64(reg(high)) << 32 | (reg(low) & ~0xFu); }

u32 E1000Model::ring_size(u32 length_reg) const { return reg(length_reg) / 16; }

void E1000Model::update_line() { line.set_level((reg(ICR) & reg(IMS)) != 0); }

void E1000Model::raise(u32 causes)
{
    m_regs[ICR / 4] |= causes;
    update_line();
}

u64 E1000Model::mmio_read(u64 offset, u8 width)
{
    ++register_reads;
    if (width != 4 || offset % 4) {
        violation("an e1000 register was read with a " + std::to_string(width) + "-byte access at " +
                  std::to_string(offset) + ": every register is a whole, aligned dword");
        return ~0ull;
    }
    switch (u32(offset)) {
    case ICR: {
        u32 value = reg(ICR);   // reading ICR returns the causes and clears them
        m_regs[ICR / 4] = 0;
        ++icr_reads;
        update_line();
        return value;
    }
    case STATUS:
        return m_link_up ? STATUS_UP : (STATUS_UP & ~2u);
    case RDH:
    case TDH:
        ++rdh_reads;
        return reg(u32(offset));
    case MPC:
    case RNBC: {
        u32 value = reg(u32(offset));   // statistics clear on read
        m_regs[offset / 4] = 0;
        return value;
    }
    default:
        return reg(u32(offset));
    }
}

void E1000Model::mmio_write(u64 offset, u8 width, u64 value)
{
    if (width != 4 || offset % 4) {
        violation("an e1000 register was written with a " + std::to_string(width) + "-byte access");
        return;
    }
    u32 v = u32(value);
    u32 old = reg(u32(offset));
    switch (u32(offset)) {
    case CTRL:
        if (v & CTRL_RST)
            reset();
        m_regs[CTRL / 4] = v & ~CTRL_RST;
        return;
    case ICR:
        m_regs[ICR / 4] &= ~v;
        update_line();
        return;
    case ICS:
        raise(v);
        return;
    case IMS:
        m_regs[IMS / 4] |= v;
        update_line();
        return;
    case IMC:
        m_regs[IMS / 4] &= ~v;
        update_line();
        return;
    case TDH:
        m_regs[TDH / 4] = v & 0xFFFF;
        m_tx_fetch = v & 0xFFFF;
        return;
    case TDT:
        m_regs[TDT / 4] = v & 0xFFFF;
        if (v >= ring_size(TDLEN))
            violation("TDT was set to " + std::to_string(v) + ", outside the ring of " +
                      std::to_string(ring_size(TDLEN)) + " descriptors");
        else if (reg(TCTL) & TCTL_EN)
            tail_moved_tx(old);
        return;
    case RDT:
        m_regs[RDT / 4] = v & 0xFFFF;
        if (v >= ring_size(RDLEN))
            violation("RDT was set to " + std::to_string(v) + ", outside the ring of " +
                      std::to_string(ring_size(RDLEN)) + " descriptors");
        else
            tail_moved_rx(old, v);
        return;
    case TDLEN:
    case RDLEN:
        m_regs[offset / 4] = v & 0xFFF80;
        return;
    default:
        m_regs[offset / 4] = v;
        return;
    }
}

// The tail moved: the NIC fetches the new descriptors now (real NICs prefetch them as soon as
// they may), and works on them tx_delay_ns later.
void E1000Model::tail_moved_tx(u32)
{
    u32 count = ring_size(TDLEN);
    u64 base = ring_base(TDBAL, TDBAH);
    while (count && m_tx_fetch != reg(TDT)) {
        Fetched fetched { m_tx_fetch, {}, {} };
        phys_memory().read(base + 16 * m_tx_fetch, fetched.bytes, 16);
        u64 address = read64(fetched.bytes);
        u16 length = read16(fetched.bytes + 8);
        fetched.data.resize(length);
        if (!address || !phys_memory().read(address, fetched.data.data(), length))
            fetched.data.clear();
        m_fetched.push_back(std::move(fetched));
        m_tx_fetch = (m_tx_fetch + 1) % count;
    }
    if (!m_tx_event && !m_fetched.empty())
        m_tx_event = clock().schedule_in(tx_delay_ns, [this] { process_tx(); });
}

void E1000Model::process_tx()
{
    m_tx_event = 0;
    u64 base = ring_base(TDBAL, TDBAH);
    u32 causes = TXQE;
    char text[256];
    for (Fetched& f : m_fetched) {
        u8 now[16];
        phys_memory().read(base + 16 * f.index, now, 16);
        if (std::memcmp(now + 0, f.bytes + 0, 12) != 0) {
            std::snprintf(text, sizeof(text), "TX descriptor %u changed after TDT was moved past it: the tail was "
                          "advanced before the descriptor was written", f.index);
            violation(text);
        }
        u64 address = read64(f.bytes);
        u16 length = read16(f.bytes + 8);
        u8 cmd = f.bytes[11];
        if (!address || !length) {
            std::snprintf(text, sizeof(text), "TX descriptor %u was fetched with address %#llx and length %u: "
                          "it was empty when the tail passed it", f.index, (unsigned long long)address, length);
            violation(text);
        } else if (!io::dma_debug_lookup_bus(address, length).has_value()) {
            std::snprintf(text, sizeof(text), "TX descriptor %u points at %#llx (+%u), which is not mapped for the "
                          "device: the buffer was unmapped or freed while the NIC owned it", f.index,
                          (unsigned long long)address, length);
            violation(text);
        } else {
            std::vector<u8> data(length);
            phys_memory().read(address, data.data(), length);
            if (data != f.data) {
                std::snprintf(text, sizeof(text), "the buffer of TX descriptor %u changed while the NIC owned it "
                              "(between the tail write and DD)", f.index);
                violation(text);
            }
            m_pending_frame.insert(m_pending_frame.end(), data.begin(), data.end());
        }
        if (cmd & CMD_EOP) {
            sent.push_back(std::move(m_pending_frame));
            m_pending_frame.clear();
        }
        if (cmd & CMD_RS) {
            u8 status = f.bytes[12] | STAT_DD;
            phys_memory().write(base + 16 * f.index + 12, &status, 1);
            causes |= TXDW;
        }
        m_regs[TDH / 4] = (f.index + 1) % ring_size(TDLEN);
    }
    m_fetched.clear();
    raise(causes);
}

void E1000Model::tail_moved_rx(u32 old_tail, u32 new_tail)
{
    u32 count = ring_size(RDLEN);
    u64 base = ring_base(RDBAL, RDBAH);
    char text[256];
    for (u32 i = old_tail; count && i != new_tail; i = (i + 1) % count) {
        u8 desc[16];
        phys_memory().read(base + 16 * i, desc, 16);
        u64 address = read64(desc);
        auto range = io::dma_debug_lookup_bus(address, RX_BUFFER);
        if (!range.has_value() || (!range->coherent && range->direction == io::Direction::ToDevice)) {
            std::snprintf(text, sizeof(text), "RX descriptor %u was given to the NIC with a buffer at %#llx that is "
                          "not mapped for the device to write: a buffer handed up must be replaced before its "
                          "descriptor goes back", i, (unsigned long long)address);
            violation(text);
        }
    }
}

bool E1000Model::receive(std::vector<u8> const& wire_frame)
{
    if (!(reg(RCTL) & RCTL_EN))
        return false;
    u32 count = ring_size(RDLEN);
    if (!count || reg(RDH) == reg(RDT)) {
        ++m_regs[RNBC / 4];
        ++m_regs[MPC / 4];
        ++rx_overruns;
        raise(RXO);
        return false;
    }
    std::vector<u8> frame = wire_frame;
    if (frame.size() < MIN_FRAME)
        frame.resize(MIN_FRAME, 0);
    u32 head = reg(RDH);
    u64 slot = ring_base(RDBAL, RDBAH) + 16 * head;
    u8 desc[16];
    phys_memory().read(slot, desc, 16);
    u64 address = read64(desc);
    auto range = io::dma_debug_lookup_bus(address, frame.size());
    if (!range.has_value()) {
        char text[200];
        std::snprintf(text, sizeof(text), "the NIC was about to store a frame through RX descriptor %u at %#llx, "
                      "which is not mapped for the device", head, (unsigned long long)address);
        violation(text);
    } else {
        phys_memory().write(address, frame.data(), frame.size());
    }
    u16 length = u16(frame.size());
    desc[8] = u8(length);
    desc[9] = u8(length >> 8);
    desc[10] = desc[11] = desc[13] = 0;
    desc[12] = STAT_DD | STAT_EOP;   // the descriptor is written back whole, DD included
    phys_memory().write(slot + 8, desc + 8, 8);
    m_regs[RDH / 4] = (head + 1) % count;
    u32 free = (reg(RDT) + count - reg(RDH)) % count;
    raise(RXT0 | (free <= count / 2 ? RXDMT0 : 0));
    return true;
}

void E1000Model::set_link(bool up)
{
    if (up == m_link_up)
        return;
    m_link_up = up;
    raise(LSC);
}

}
