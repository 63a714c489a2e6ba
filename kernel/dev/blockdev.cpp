// The block device class: registration, request submission and completion, and the synchronous
// wrappers (include/kernel/dev/blockdev.h). Request checking is in block_check.cpp (portable),
// the byte-offset file view in block_file.cpp, the request queue in kernel/block.
//
// A request's life: submit() checks it, enters the device's gate and puts it in the device's
// request queue; the queue's dispatcher hands the driver a command carrying it (maybe merged
// with others); when the driver completes the command, the queue completes each request it
// carried through complete(), which records the status, counts it, runs the callback and leaves
// the gate. So the gate counts requests in flight, and unregistering waits until they are done.
#include "internal.h"
#include <kernel/block/cached_io.h>
#include <kernel/block/request_queue.h>
#include <kernel/dev/blockdev.h>
#include <kernel/dev/devfs.h>
#include <kernel/mm/heap.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/time/clock.h>
#include <kstd/new.h>
#include <kstd/enforce.h>

namespace dev {

namespace {
NumberSpace g_block_numbers;   // Guarded by the devfs lock
}

BlockDevice::BlockDevice(StringView name, BlockDevOps const& ops, BlockGeometry const& geometry, void* data, u8* bounce)
    : Node(NodeKind::Block, name, blockdev::internal::file_ops(), ops.driver, data)
    , m_ops(ops)
    , m_geometry(geometry)
    , m_bounce(bounce)
{
}

BlockDevice::~BlockDevice()
{
    delete m_queue;
    mm::kfree(m_bounce);
}

BlockStats BlockDevice::block_stats() const
{
    return { m_reads.get(), m_writes.get(), m_flushes.get(), m_sectors_read.get(), m_sectors_written.get(),
        m_errors.get(), m_rejected.get(), __atomic_load_n(&m_in_flight, __ATOMIC_RELAXED) };
}

void BlockDevice::count_completion(BlockRequest const& request)
{
    __atomic_sub_fetch(&m_in_flight, 1, __ATOMIC_RELAXED);
    if (request.core.status != 0) {
        m_errors.add();
        return;
    }
    switch (request.op) {
    case BlockOp::Read:
        m_reads.add();
        m_sectors_read.add(request.count);
        break;
    case BlockOp::Write:
        m_writes.add();
        m_sectors_written.add(request.count);
        break;
    case BlockOp::Flush:
        m_flushes.add();
        break;
    }
}

ErrorOr<BlockDevHandle> register_blockdev(StringView name, u16 major, u16 minor, BlockDevOps const& ops,
    BlockGeometry const& geometry, void* data)
{
    TRY(devfs::internal::check_name(name));
    if (!ops.submit)
        return Error::from_errno(EINVAL);
    TRY(blockdev::check_geometry(geometry));
    auto* bounce = static_cast<u8*>(mm::kmalloc(geometry.sector_size, kstd::max<usize>(geometry.buffer_alignment, 16)));
    if (!bounce)
        return Error::from_errno(ENOMEM);
    auto* device = new (kstd::nothrow) BlockDevice(name, blockdev::with_defaults(ops), geometry, data, bounce);
    if (!device) {
        mm::kfree(bounce);
        return Error::from_errno(ENOMEM);
    }
    auto queue = block::RequestQueue::create(*device);
    if (queue.is_error()) {
        device->unref();
        return queue.release_error();
    }
    device->set_queue(queue.value());
    if (auto published = devfs::internal::publish(*device, g_block_numbers, major, minor); published.is_error()) {
        device->queue().shutdown();
        device->unref();
        return published.release_error();
    }
    return BlockDevHandle(*device);
}

BlockDevHandle::BlockDevHandle(BlockDevice& device) : m_device(&device) {}

BlockDevHandle::BlockDevHandle(BlockDevHandle&& other) : m_device(kstd::exchange(other.m_device, nullptr)) {}

BlockDevHandle& BlockDevHandle::operator=(BlockDevHandle&& other)
{
    if (this != &other) {
        unregister();
        m_device = kstd::exchange(other.m_device, nullptr);
    }
    return *this;
}

void BlockDevHandle::unregister()
{
    BlockDevice* device = kstd::exchange(m_device, nullptr);
    if (!device)
        return;
    block::forget_device(*device);   // the buffer cache writes back and lets go of its blocks
    devfs::internal::unpublish(*device, g_block_numbers);
    device->revoke();   // also waits for every request in flight to be completed
    device->queue().shutdown();
    device->unref();
}

}

namespace blockdev {

ErrorOr<void> submit(BlockDevice& device, BlockRequest& request)
{
    if (request.core.state == BlockRequest::State::Submitted)
        return Error::from_errno(EBUSY);
    if (auto checked = check_request(device.geometry(), request); checked.is_error()) {
        device.count_rejected();
        return checked.release_error();
    }
    TRY(device.gate().enter());   // ENODEV once unregistering; left in complete()
    request.core.state = BlockRequest::State::Submitted;
    request.core.status = 0;
    request.core.device = &device;
    request.core.is_command = false;
    device.count_submitted();
    // Do not touch `request` from here on: it may have completed and been freed already.
    device.queue().queue(request);
    return {};
}

void complete(BlockRequest& request, ErrorOr<void> status)
{
    if (request.core.state != BlockRequest::State::Submitted)
        panic("blockdev::complete: a request was completed twice, or without being submitted");
    BlockDevice& device = *request.core.device;
    if (request.core.is_command) {
        // A command the queue built: it completes the requests the command carried.
        device.queue().command_done(request, status.is_error() ? status.error().code() : 0);
        return;
    }
    request.core.status = status.is_error() ? status.error().code() : 0;
    request.core.state = BlockRequest::State::Complete;
    device.count_completion(request);
    if (request.on_complete)
        request.on_complete(request);   // the last use of `request`: the callback may free it
    device.gate().leave();              // the last use of `device`: unregister may now finish
}

namespace {

ErrorOr<void> run_sync(BlockDevice& device, BlockRequest& request, u64 timeout_ns)
{
    sched::Semaphore done(0);
    request.on_complete = [&done](BlockRequest&) { done.up(); };
    TRY(submit(device, request));
    if (!done.down_timeout(timeout_ns).is_error())
        return request.result();
    log_warn("%s: %s of %u sector(s) at %lu did not complete in %lu ms; aborting it\n", device.name(),
        op_name(request.op), request.count, request.sector, timeout_ns / time::NS_PER_MS);
    device.queue().abort(request);
    if (!request.is_complete()) {
        // The device may still write into the buffer, so the caller cannot have it back yet.
        log_error("%s: the driver did not complete the timed-out request in abort(); waiting for "
                  "it, since the buffer still belongs to the device\n", device.name());
    }
    done.down();
    return Error::from_errno(ETIMEDOUT);
}

ErrorOr<u32> sectors_for(BlockDevice const& device, usize bytes)
{
    if (bytes % device.sector_size() != 0 || bytes / device.sector_size() > 0xFFFFFFFFu)
        return Error::from_errno(EINVAL);
    return u32(bytes / device.sector_size());
}

}

ErrorOr<void> read_sync(BlockDevice& device, u64 sector, Bytes buffer, u64 timeout_ns)
{
    BlockRequest request { .op = BlockOp::Read, .sector = sector, .count = TRY(sectors_for(device, buffer.size())),
        .buffer = buffer };
    return run_sync(device, request, timeout_ns);
}

ErrorOr<void> write_sync(BlockDevice& device, u64 sector, ReadonlyBytes data, u64 timeout_ns)
{
    // The device only reads the buffer of a Write; BlockRequest has one buffer type for both.
    Bytes buffer { const_cast<u8*>(data.data()), data.size() };
    BlockRequest request { .op = BlockOp::Write, .sector = sector, .count = TRY(sectors_for(device, data.size())),
        .buffer = buffer };
    return run_sync(device, request, timeout_ns);
}

ErrorOr<void> flush_sync(BlockDevice& device, u64 timeout_ns)
{
    BlockRequest request { .op = BlockOp::Flush };
    return run_sync(device, request, timeout_ns);
}

ErrorOr<dev::Ref<BlockDevice>> find(StringView name)
{
    auto node = TRY(devfs::lookup(name));
    if (node->kind() != dev::NodeKind::Block)
        return Error::from_errno(ENOENT);
    return dev::Ref<BlockDevice>(static_cast<BlockDevice&>(*node));
}

}
