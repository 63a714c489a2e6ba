// The PIIX bus master (piix_ide.h), per SFF-8038i "Bus Master Programming Interface for IDE ATA
// Controllers": the command register (start/stop, read/write control), the status register
// (active, error, interrupt; write 1 to clear), the descriptor table pointer, and the walk of
// the physical region descriptor (PRD) table that moves the data.
//
// Every check a real controller would fail silently is a violation here: the table pointer
// and entries must be aligned, no table or region may cross a 64 KiB boundary, the table must
// end with the EOT bit, bus mastering must be enabled in PCI configuration space, the direction
// bit must match the command, and every byte the device touches must be mapped for DMA (as the
// kernel's DMA API records it) in a direction that allows what the device does with it, at the
// moment it does it (so a buffer unmapped before the interrupt is caught).
#include <kstd/error.h>
#include "piix_ide.h"
#include "clock.h"
#include "phys_memory.h"
#include <kernel/io/dma.h>
#include <cstdio>

namespace models {

namespace {

// Register offsets and bits (SFF-8038i, section 3).
constexpr unsigned BM_COMMAND = 0, BM_STATUS = 2, BM_PRD_POINTER = 4;
constexpr u8 BM_START = 0x01, BM_TO_MEMORY = 0x08;          // read/write control: 1 = device -> memory
constexpr u8 BM_ACTIVE = 0x01, BM_ERROR = 0x02, BM_INTERRUPT = 0x04, BM_CAPABLE = 0x60;
constexpr u32 PRD_EOT = 0x80000000u;
constexpr u64 BOUNDARY = 64 * 1024;
constexpr usize MAX_PRD_ENTRIES = 8192;   // a 64 KiB table

struct Region {
    u64 address;
    u64 length;
};

std::string describe(char const* format, unsigned long long a, unsigned long long b = 0)
{
    char text[200];
    std::snprintf(text, sizeof(text), format, a, b);
    return text;
}

bool crosses_64k(u64 address, u64 length) { return address / BOUNDARY != (address + length - 1) / BOUNDARY; }

}

u32 PiixIdeChannel::read_bus_master(unsigned reg, u8 width)
{
    if (reg == BM_COMMAND)
        return m_bm_command;
    if (reg == BM_STATUS)
        return m_bm_status;
    if (reg >= BM_PRD_POINTER && width == 4)
        return m_prd_pointer;
    if (reg >= BM_PRD_POINTER)
        return (m_prd_pointer >> (8 * (reg - BM_PRD_POINTER))) & ((1u << (8 * width)) - 1);
    return 0;
}

void PiixIdeChannel::write_bus_master(unsigned reg, u8 width, u32 value)
{
    if (reg == BM_COMMAND) {
        u8 old = m_bm_command;
        if ((old & BM_START) && (value & BM_START) && ((old ^ value) & BM_TO_MEMORY))
            violation("the bus-master direction bit changed while the engine runs");
        m_bm_command = u8(value & (BM_START | BM_TO_MEMORY));
        if (!(old & BM_START) && (value & BM_START)) {
            m_bm_status |= BM_ACTIVE;
            try_start_dma();
        } else if ((old & BM_START) && !(value & BM_START)) {
            // Stopping the engine aborts a transfer in progress (the error-recovery path).
            m_bm_status &= u8(~BM_ACTIVE);
            if (m_phase == Phase::DmaRunning)
                cancel_pending();
        }
        return;
    }
    if (reg == BM_STATUS) {
        m_bm_status = u8((m_bm_status & ~(value & (BM_ERROR | BM_INTERRUPT)) & ~BM_CAPABLE) | (value & BM_CAPABLE));
        return;
    }
    if (reg >= BM_PRD_POINTER) {
        if (width == 4) {
            m_prd_pointer = value;
        } else {
            unsigned shift = 8 * (reg - BM_PRD_POINTER);
            u32 mask = ((width == 2 ? 0xFFFFu : 0xFFu) << shift);
            m_prd_pointer = (m_prd_pointer & ~mask) | ((value << shift) & mask);
        }
    }
}

// The transfer begins once the device has its DMA command and the engine is started, in
// either order.
void PiixIdeChannel::try_start_dma()
{
    if (m_phase != Phase::DmaPending || !(m_bm_command & BM_START))
        return;
    if (!m_controller.bus_master_enabled)
        violation("the bus master was started but bus mastering is not enabled in the PCI command "
                  "register (bit 2): the controller cannot reach memory, no data moves");
    bool to_memory = !m_cmd.is_write;
    if (bool(m_bm_command & BM_TO_MEMORY) != to_memory)
        violation(std::string("bus-master direction bit says ") + (m_bm_command & BM_TO_MEMORY ? "device -> memory" :
            "memory -> device") + " but the command is a " + (m_cmd.is_write ? "write" : "read"));
    m_phase = Phase::DmaRunning;
    ++counters.dma_transfers;
    after(timing.command_ns + timing.dma_sector_ns * m_cmd.count, &PiixIdeChannel::complete_dma);
}

namespace {

// Reads the PRD table; nullopt (and a violation) when it is malformed.
struct PrdWalk {
    std::vector<Region> regions;
    u64 total { 0 };
    bool ok { true };
};

PrdWalk walk_prd_table(u32 pointer, std::vector<std::string>& problems)
{
    PrdWalk walk;
    if (pointer & 3)
        problems.push_back(describe("PRD table pointer %#llx is not 4-byte aligned", pointer));
    u64 table = pointer & ~3u;
    for (usize i = 0; i < MAX_PRD_ENTRIES; ++i) {
        u64 entry_address = table + 8 * i;
        if (i > 0 && entry_address % BOUNDARY == 0) {
            problems.push_back(describe("the PRD table at %#llx crosses a 64 KiB boundary (or has no end-of-table "
                                        "bit before it)", table));
            walk.ok = false;
            return walk;
        }
        u32 words[2];
        if (!io::dma_debug_lookup_bus(entry_address, 8).has_value() || !phys_memory().read(entry_address, words, 8)) {
            problems.push_back(describe(i == 0 ? "PRD table at %#llx is not in DMA memory (never allocated, or freed)"
                    : "PRD walk ran off the end of the table at %#llx (entry %llu): the last entry has no "
                      "end-of-table bit (bit 31)", entry_address, i));
            walk.ok = false;
            return walk;
        }
        u64 address = words[0];
        u64 length = (words[1] & 0xFFFF) ? (words[1] & 0xFFFF) : BOUNDARY;
        if ((address & 1) || (length & 1))
            problems.push_back(describe("PRD entry %llu: address and byte count must be even (address %#llx)", i, address));
        if (crosses_64k(address, length))
            problems.push_back(describe("PRD entry %llu crosses a 64 KiB boundary (address %#llx)", i, address));
        walk.regions.push_back({ address, length });
        walk.total += length;
        if (words[1] & PRD_EOT)
            return walk;
    }
    problems.push_back("PRD table has no end-of-table bit in 8192 entries");
    walk.ok = false;
    return walk;
}

// May the device write (to_memory) or read this range now? Returns the problem, or "".
std::string check_mapping(u64 address, u64 length, bool to_memory)
{
    auto range = io::dma_debug_lookup_bus(address, length);
    if (!range.has_value())
        return describe(to_memory ? "the device writes %#llx, which is not mapped for DMA (never mapped, or unmapped "
                                    "before the transfer ended)"
                                  : "the device reads %#llx, which is not mapped for DMA (never mapped, or unmapped "
                                    "before the transfer ended)", address);
    if (range->coherent || range->direction == io::Direction::Bidirectional)
        return "";
    bool allowed = to_memory ? range->direction == io::Direction::FromDevice : range->direction == io::Direction::ToDevice;
    if (allowed)
        return "";
    return describe(to_memory ? "the device writes %#llx, mapped to-device: wrong DMA direction for a read (use "
                                "from-device)"
                              : "the device reads %#llx, mapped from-device: wrong DMA direction for a write (use "
                                "to-device)", address);
}

}

// The end of the transfer: walk the table, move the sectors through its regions, and report.
void PiixIdeChannel::complete_dma()
{
    std::vector<std::string> problems;
    PrdWalk walk = walk_prd_table(m_prd_pointer, problems);
    counters.prd_entries += walk.regions.size();
    bool to_memory = !m_cmd.is_write;
    bool moves = m_controller.bus_master_enabled && walk.ok && bool(m_bm_command & BM_TO_MEMORY) == to_memory;
    usize region = 0;
    u64 region_offset = 0;
    u8 error = 0;
    u64 failed_lba = 0;
    std::array<u8, IdeDevice::SECTOR> sector {};
    for (; m_cmd.done < m_cmd.count && moves; ++m_cmd.done) {
        u64 lba = m_cmd.lba + m_cmd.done;
        if ((error = current_device().take_fault(lba, m_cmd.is_write))) {
            failed_lba = lba;
            break;
        }
        if (to_memory)
            current_device().read_sector(lba, sector.data());
        for (u32 moved = 0; moved < IdeDevice::SECTOR;) {
            if (region == walk.regions.size()) {
                problems.push_back("the PRD table describes fewer bytes than the command transfers: the "
                                   "controller stops, the device stays busy");
                for (auto& text : problems)
                    violation(text);
                m_bm_status &= u8(~BM_ACTIVE);   // no interrupt: the command never finishes
                return;
            }
            Region const& r = walk.regions[region];
            u64 chunk = std::min<u64>(IdeDevice::SECTOR - moved, r.length - region_offset);
            u64 address = r.address + region_offset;
            std::string problem = check_mapping(address, chunk, to_memory);
            if (!problem.empty() && (problems.empty() || problems.back() != problem))
                problems.push_back(problem);
            if (to_memory)
                phys_memory().write(address, sector.data() + moved, chunk);
            else
                phys_memory().read(address, sector.data() + moved, chunk);
            moved += u32(chunk);
            region_offset += chunk;
            if (region_offset == r.length) {
                ++region;
                region_offset = 0;
            }
        }
        if (m_cmd.is_write) {
            current_device().write_sector(lba, sector.data());
            ++current_device().sectors_written;
            ++current_device().unflushed_writes;
        } else {
            ++current_device().sectors_read;
        }
    }
    for (auto& text : problems)
        violation(text);
    // SFF-8038i table 3: interrupt with active still set when the table was longer than the
    // transfer, active clear when it ended exactly; error for a table the controller refused.
    bool table_left = region < walk.regions.size() && !error;
    m_bm_status = u8((m_bm_status & BM_CAPABLE) | BM_INTERRUPT | (table_left ? BM_ACTIVE : 0) | (walk.ok ? 0 : BM_ERROR));
    if (error)
        finish_with_fault(failed_lba, error);
    else
        finish(ide_status::DRDY | ide_status::DSC, walk.ok ? 0 : ide_error::ABRT);
}

PiixIdeController::PiixIdeController(u16 bus_master_base_) : bus_master_base(bus_master_base_) {}

void PiixIdeController::attach()
{
    primary.attach(0x1F0, 0x3F6, bus_master_base);
    secondary.attach(0x170, 0x376, u16(bus_master_base + 8));
}

}
