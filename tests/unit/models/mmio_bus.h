#pragma once
// The models' MMIO bus (host unit tests). Under CONDUIT_HOST_TEST, io::MmioWindow's loads and
// stores call io::detail::host_mmio_read/write (include/kernel/io/window.h), defined in
// mmio_bus.cpp to route each access to the model attached at that address. A test gives the
// driver a window at any address it attached a model to:
//
//     models::mmio_bus().attach(0xFEBC0000, 0x20000, e1000_model, "e1000 BAR0");
//     io::MmioWindow regs(0xFEBC0000, 0x20000);      // what io::map_mmio would have given
//
// The addresses are only names here: nothing is mapped. Unclaimed addresses read as all ones
// and are counted. Each access spends one bus cycle of the models' clock.
#include <kstd/types.h>
#include <string>
#include <vector>

namespace models {

class MmioDevice {
public:
    virtual ~MmioDevice() = default;
    // `offset` is relative to the base the device was attached at; `width` is 1, 2, 4 or 8.
    virtual u64 mmio_read(u64 offset, u8 width) = 0;
    virtual void mmio_write(u64 offset, u8 width, u64 value) = 0;
};

class MmioBus {
public:
    void attach(u64 base, u64 length, MmioDevice& device, char const* name);
    void detach(MmioDevice& device);
    u64 read(u64 address, u8 width);
    void write(u64 address, u8 width, u64 value);
    u64 unclaimed_accesses() const { return m_unclaimed; }
    void reset();

private:
    struct Claim {
        u64 base;
        u64 length;
        MmioDevice* device;
        std::string name;
    };
    Claim const* owner(u64 address, u8 width) const;

    std::vector<Claim> m_claims;
    u64 m_unclaimed { 0 };
};

MmioBus& mmio_bus();

}
