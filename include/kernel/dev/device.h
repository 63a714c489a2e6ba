#pragma once
// The device every bus hands to a driver (docs/architecture.md, "The device model"). A bus-specific device
// (PciDevice, PlatformDevice) derives from it; the I/O manager records resources by its name and
// the DMA API reads its DMA constraints from it.
#include <kstd/intrusive_list.h>
#include <kstd/types.h>

namespace dev {

enum class BusType : u8 { Platform, Pci, Virtual };

class Device {
public:
    Device(char const* name, BusType bus) : m_bus(bus) { set_name(name); }
    virtual ~Device() = default;
    Device(Device const&) = delete;
    Device& operator=(Device const&) = delete;

    char const* name() const { return m_name; }
    void set_name(char const* name);
    BusType bus() const { return m_bus; }

    // DMA constraints (Linux's dma_mask and segment boundary). The mask is the highest bus
    // address the device can reach: a buffer above it is bounced. A boundary of 64 KiB means no
    // single DMA segment may cross a 64 KiB line (IDE PRDs); 0 means none.
    u64 dma_mask() const { return m_dma_mask; }
    void set_dma_mask(u64 mask) { m_dma_mask = mask; }
    u64 dma_boundary() const { return m_dma_boundary; }
    void set_dma_boundary(u64 boundary) { m_dma_boundary = boundary; }

    // The bound driver, for listings (`lsdev`, `lspci`); nullptr while unbound.
    char const* driver_name() const { return m_driver_name; }
    void set_driver_name(char const* name) { m_driver_name = name; }
    void* driver_data() const { return m_driver_data; }
    void set_driver_data(void* data) { m_driver_data = data; }

    // Live streaming DMA mappings (maintained by the DMA API; reported when the device goes away).
    u32 live_dma_mappings() const { return m_live_dma_mappings; }
    void adjust_live_dma_mappings(int delta) { m_live_dma_mappings = u32(int(m_live_dma_mappings) + delta); }

private:
    char m_name[32] {};
    BusType m_bus;
    u64 m_dma_mask { 0xFFFFFFFFull };   // 32-bit until a driver says otherwise
    u64 m_dma_boundary { 0 };
    char const* m_driver_name { nullptr };
    void* m_driver_data { nullptr };
    u32 m_live_dma_mappings { 0 };
};

}
