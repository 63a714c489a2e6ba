// The host rig for the ATA driver (ata_rig.h), and the host's Controller::set_bus_master: the
// PCI command register's bus-master bit is the model's.
#include "ata_rig.h"
#include <cstring>

namespace ata {

void Controller::set_bus_master(bool on) { static_cast<ata_test::HostPci*>(device)->model->bus_master_enabled = on; }

}

namespace ata_test {

u8 pattern(u32 seed, usize offset)
{
    u32 x = seed * 2654435761u ^ u32(offset) * 40503u;
    x ^= x >> 13;
    return u8(x * 7 + (offset >> 9));
}

Request::Request(dev::BlockOp op, u64 sector, u32 count, models::Zone zone)
{
    bytes = usize(count) * ata::SECTOR_SIZE;
    if (bytes)
        buffer = static_cast<u8*>(models::phys_memory().allocate(bytes, zone));
    request.op = op;
    request.sector = sector;
    request.count = count;
    request.buffer = Bytes(buffer, bytes);
    request.on_complete = [this](dev::BlockRequest& done) {
        ++completions;
        status = done.core.status;
    };
}

Request::~Request()
{
    if (buffer)
        models::phys_memory().free(buffer);
}

void Request::fill(u32 seed)
{
    for (usize i = 0; i < bytes; ++i)
        buffer[i] = pattern(seed, i);
}

AtaRig::AtaRig(ata::AtaModeOps const& ops, Setup setup)
{
    model.primary.devices[0].kind = models::IdeKind::Disk;
    if (setup)
        setup(model);
    model.attach();
    pci.model = &model;
    controller.device = &pci;
    for (u8 i = 0; i < 2; ++i) {
        ata::Channel& ch = controller.channels[i];
        ata::channel_init(ch, controller, i);
        ch.cmd = io::PortWindow(i ? 0x170 : 0x1F0, 8);
        ch.ctl = io::PortWindow(i ? 0x376 : 0x3F6, 1);
        ch.bm = io::PortWindow(u16(model.bus_master_base + 8 * i), 8);
        ch.timeout_ns = 1000 * MS;
        ata::probe_channel(ch);
        ch.ops = &ops;
        if (ops.attach)
            REQUIRE(!ops.attach(ch).is_error());
        ata::write_device_control(ch);
        (i ? model.irq15 : model.irq14).connect([&ch] { (void)ata::channel_interrupt(&ch); });
    }
    whole = ata::Target { &controller.channels[0].drives[0], 0, controller.channels[0].drives[0].identity.sectors };
}

AtaRig::~AtaRig()
{
    for (auto& ch : controller.channels) {
        if (ch.ops->detach)
            ch.ops->detach(ch);
    }
    model.irq14.disconnect();
    model.irq15.disconnect();
}

void AtaRig::submit(Request& request, ata::Target const* target)
{
    ata::Target const& t = target ? *target : whole;
    request.request.core.state = dev::BlockRequest::State::Submitted;
    auto submitted = ata::channel_submit(*t.drive->channel, t, request.request);
    REQUIRE(!submitted.is_error());
}

bool AtaRig::wait(Request& request, u64 limit_ns)
{
    auto& clock = models::clock();
    u64 limit = clock.now() + limit_ns;
    while (!request.completed() && clock.now() < limit) {
        u64 next = limit;
        for (auto& ch : controller.channels) {
            if (ch.busy && ch.ops->interrupt)
                next = std::min(next, ch.current.deadline_ns);
        }
        if (clock.has_events())
            next = std::min(next, clock.next_event_time());
        clock.advance_to(next);
        models::cpu().deliver_pending();
        // The error handler's view: a command past its deadline is recovered.
        for (auto& ch : controller.channels) {
            if (ch.ops->interrupt && ch.busy && clock.now() >= ch.current.deadline_ns)
                (void)ata::check_timeout(ch);
        }
    }
    return request.completed();
}

ErrorOr<void> AtaRig::run(Request& request, ata::Target const* target)
{
    submit(request, target);
    REQUIRE(wait(request));
    if (request.status)
        return Error::from_errno(request.status);
    return {};
}

bool AtaRig::disk_matches(u64 lba, u8 const* data, u32 sectors, u8 unit)
{
    u8 sector[512];
    for (u32 s = 0; s < sectors; ++s) {
        model.primary.devices[unit].read_sector(lba + s, sector);
        if (std::memcmp(sector, data + usize(s) * 512, 512) != 0)
            return false;
    }
    return true;
}

bool AtaRig::buffer_matches(Request const& request, u64 lba)
{
    return disk_matches(lba, request.buffer, u32(request.bytes / 512));
}

}
