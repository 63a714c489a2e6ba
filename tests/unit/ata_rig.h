#pragma once
// The ATA driver on the host, against the PIIX IDE model (models/piix_ide.h): a controller with
// its two channels wired to the model's ports and interrupt lines, probed by the driver's own
// code, in the mode the test asks for. Requests go through the driver's queue as the block
// class would hand them over; waiting for one lets simulated time run, so interrupts,
// tasklets and timeouts happen as they would in the kernel.
#include "support.h"
#include "models/framework.h"
#include "models/piix_ide.h"
#include "../../drivers/block/ata/ata.h"
#include <functional>

namespace ata_test {

inline constexpr u64 MS = 1'000'000;

struct HostPci final : dev::Device {
    HostPci() : dev::Device("piix-host", dev::BusType::Virtual) { set_dma_boundary(ata::PRD_BOUNDARY); }
    models::PiixIdeController* model { nullptr };
};

// A block request with its buffer in the models' physical memory.
struct Request {
    Request(dev::BlockOp op, u64 sector, u32 count, models::Zone zone = models::Zone::Dma32);
    ~Request();
    Request(Request const&) = delete;
    Request& operator=(Request const&) = delete;

    dev::BlockRequest request;
    u8* buffer { nullptr };
    usize bytes { 0 };
    int completions { 0 };
    int status { 0 };

    bool completed() const { return completions > 0; }
    // Fills the buffer with pattern(seed) / checks a device sector range against the model.
    void fill(u32 seed);
};

class AtaRig : public models::ModelFixture {
public:
    using Setup = std::function<void(models::PiixIdeController&)>;
    // A disk as primary master (8192 sectors, LBA48) unless `setup` says otherwise.
    explicit AtaRig(ata::AtaModeOps const& ops, Setup setup = {});
    ~AtaRig();

    models::PiixIdeController model;
    HostPci pci;
    ata::Controller controller;
    ata::Target whole {};

    ata::Channel& channel(u8 index = 0) { return controller.channels[index]; }
    models::PiixIdeChannel& ide(u8 index = 0) { return index ? model.secondary : model.primary; }
    models::IdeDevice& disk() { return model.primary.devices[0]; }

    // Queues a request for `target` (default: the whole primary master).
    void submit(Request& request, ata::Target const* target = nullptr);
    // Lets time run (and the error handler watch deadlines) until the request completes or
    // `limit_ns` of simulated time has passed. True when it completed.
    bool wait(Request& request, u64 limit_ns = 10'000 * MS);
    // submit + wait; the request's result.
    ErrorOr<void> run(Request& request, ata::Target const* target = nullptr);
    // The sector on the model's disk equals the buffer's bytes at `offset`.
    bool disk_matches(u64 lba, u8 const* data, u32 sectors, u8 unit = 0);
    // The buffer holds what the model's disk has in those sectors.
    bool buffer_matches(Request const& request, u64 lba);
    std::string violations() const { return model.primary.violations_text() + model.secondary.violations_text(); }
};

// The byte a test writes at `offset` of a buffer filled with `seed`.
u8 pattern(u32 seed, usize offset);

}
