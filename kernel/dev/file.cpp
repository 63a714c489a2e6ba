// File: dispatching through the device's ops table (include/kernel/dev/file.h).
//
// Each call follows the same steps: is the File open (EBADF), may it do this (EBADF), pass the
// device's gate (ENODEV once unregistering began), call the table entry, account for the
// result, move the position. The table has no null entries (chardev::with_defaults), so every
// call is a plain indirect call.
#include <kernel/dev/chardev.h>
#include <kernel/dev/file.h>
#include <kernel/dev/node.h>
#include <kstd/enforce.h>

namespace dev {

File::~File()
{
    if (is_open())
        (void)close();
}

void File::set_nonblocking(bool on)
{
    m_flags = on ? (m_flags | OpenFlags::NonBlock) : (m_flags & ~OpenFlags::NonBlock);
}

void* File::device_data() const { return m_node ? m_node->data() : nullptr; }

Node& File::node() const { return *m_node; }

char const* File::name() const { return m_node ? m_node->name() : ""; }

ErrorOr<usize> File::read(Bytes buffer)
{
    if (!is_open() || !can_read())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    auto result = m_node->file_ops().read(*this, buffer, m_position);
    m_node->count_call(false, result);
    if (result.is_error())
        return result.release_error();
    VERIFY(result.value() <= buffer.size());   // a driver returned more than it was given room for
    m_position += result.value();
    return result.value();
}

ErrorOr<usize> File::write(ReadonlyBytes data)
{
    if (!is_open() || !can_write())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    auto result = m_node->file_ops().write(*this, data, m_position);
    m_node->count_call(true, result);
    if (result.is_error())
        return result.release_error();
    VERIFY(result.value() <= data.size());   // a driver claimed more bytes than it was given
    m_position += result.value();
    return result.value();
}

ErrorOr<u64> File::llseek(i64 offset, Whence whence)
{
    if (!is_open())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    m_position = TRY(m_node->file_ops().llseek(*this, offset, whence));
    return m_position;
}

ErrorOr<u64> File::ioctl(u32 request, uptr argument)
{
    if (!is_open())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    return m_node->file_ops().ioctl(*this, request, argument);
}

ErrorOr<PollMask> File::poll()
{
    if (!is_open())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    return m_node->file_ops().poll(*this);
}

ErrorOr<PollMask> File::wait(PollMask interest)
{
    if (!is_open())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    PollMask wanted = interest | PollMask::Error | PollMask::Hangup;
    PollMask seen = PollMask::None;
    TRY(chardev::wait_until(*this, [this, wanted, &seen] {
        seen = m_node->file_ops().poll(*this);
        return has_any(seen, wanted);
    }));
    return seen;
}

ErrorOr<MmapRegion> File::mmap_region(u64 offset, u64 length)
{
    if (!is_open())
        return Error::from_errno(EBADF);
    auto pass = TRY(m_node->gate().pass());
    return m_node->file_ops().mmap(*this, offset, length);
}

ErrorOr<void> File::close()
{
    if (!is_open())
        return Error::from_errno(EBADF);
    m_node->detach(*this);
    m_node.reset();   // may free a device that was unregistered while this File was open
    m_private_data = nullptr;
    return {};
}

}
