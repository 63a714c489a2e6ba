#pragma once
// The models' I/O port bus (host unit tests). io::PortWindow's out-of-line accessors, which in
// the kernel execute in/out (arch/x86_64/port_io.cpp), are defined in port_bus.cpp to route
// every access to the model attached at that port. A driver compiled for the host therefore
// runs its real register sequences against a model, through the same PortWindow it uses in the
// kernel.
//
//     models::PortBus& bus = models::port_bus();
//     bus.attach(0x1F0, 8, ide_model, "ide0 command block");
//     io::PortWindow window(0x1F0, 8);          // what io::reserve_ports would have given
//     window.write8(7, 0xEC);                   // -> ide_model.port_write(0x1F0 + 7, 1, 0xEC)
//
// Unclaimed ports read as all ones (a floating ISA bus) and are counted, so a test can insist
// that a driver touched nothing it did not own. Each access spends one bus cycle of the models'
// clock. The bus can record every access, in order, for tests about register sequences.
#include <kstd/types.h>
#include <string>
#include <vector>

namespace models {

class PortDevice {
public:
    virtual ~PortDevice() = default;
    // `port` is the absolute port number; `width` is 1, 2 or 4.
    virtual u32 port_read(u16 port, u8 width) = 0;
    virtual void port_write(u16 port, u8 width, u32 value) = 0;
};

struct PortAccess {
    u64 time_ns;
    u16 port;
    u8 width;
    bool is_write;
    u32 value;
};

class PortBus {
public:
    // Claims [base, base + length) for `device`; overlapping claims are a test bug (VERIFY).
    void attach(u16 base, u16 length, PortDevice& device, char const* name);
    void detach(PortDevice& device);
    void detach_all();

    u32 read(u16 port, u8 width);
    void write(u16 port, u8 width, u32 value);

    u64 unclaimed_accesses() const { return m_unclaimed; }
    void start_recording() { m_recording = true; m_log.clear(); }
    void stop_recording() { m_recording = false; }
    std::vector<PortAccess> const& recorded() const { return m_log; }
    // Back to an empty bus (between tests).
    void reset();

private:
    struct Claim {
        u16 base;
        u16 length;
        PortDevice* device;
        std::string name;
    };
    PortDevice* owner(u16 port, u8 width);

    std::vector<Claim> m_claims;
    u64 m_unclaimed { 0 };
    bool m_recording { false };
    std::vector<PortAccess> m_log;
};

PortBus& port_bus();

}
