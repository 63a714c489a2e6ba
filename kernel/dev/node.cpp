// Device nodes: opening, closing and revoking Files (include/kernel/dev/node.h).
//
// Three paths meet here and must not trip over each other:
//   attach  (devfs::open)       takes m_files_lock, enters the gate, calls open()
//   detach  (File::close)       takes m_files_lock, calls release() unless already revoked
//   revoke  (unregistering)     closes the gate, drains it, then takes m_files_lock and calls
//                               release() for every File still open
// Because release() only ever runs under m_files_lock, and revoke() takes the lock after the
// gate is shut, each successful open() is matched by exactly one release(), and no driver entry
// point runs after revoke() returns.
#include <kernel/dev/node.h>
#include <kernel/irq_flags.h>
#include <kstd/enforce.h>

namespace dev {

char const* kind_name(NodeKind kind) { return kind == NodeKind::Char ? "char" : "block"; }

Node::Node(NodeKind kind, StringView name, CharDevOps const& ops, char const* driver, void* data)
    : m_kind(kind)
    , m_file_ops(ops)
    , m_driver(driver)
    , m_data(data)
{
    kstd::copy_string(m_name, sizeof(m_name), name);
    if (!m_driver)
        m_driver = m_name;
}

Node::~Node()
{
    // Every File holds a reference, so none can be left when the last one goes.
    VERIFY(m_open_files.is_empty());
    VERIFY(m_gate.inside() == 0);
    VERIFY(m_poll_hooks.is_empty());   // a poller holds a File, hence a reference
}

NodeStats Node::stats() const
{
    return { m_opens.get(), m_reads.get(), m_writes.get(), m_bytes_read.get(), m_bytes_written.get(),
        m_errors.get() };
}

ErrorOr<void> Node::attach(File& file, OpenFlags flags)
{
    VERIFY(!file.is_open());
    sched::MutexGuard guard(m_files_lock);
    auto pass = TRY(m_gate.pass());
    file.m_node = Ref<Node>(*this);
    file.m_flags = flags;
    file.m_position = 0;
    file.m_revoked = false;
    m_open_files.push_back(file);
    ++m_open_count;
    auto opened = m_file_ops.open(file);
    if (opened.is_error()) {
        m_open_files.remove(file);
        --m_open_count;
        file.m_node.reset();   // the caller's lookup still holds a reference
        count_error();
        return opened.release_error();
    }
    m_opens.add();
    return {};
}

void Node::detach(File& file)
{
    sched::MutexGuard guard(m_files_lock);
    if (file.m_revoked)
        return;   // revoke() already called release() and unlinked it
    m_open_files.remove(file);
    --m_open_count;
    m_file_ops.release(file);
}

void Node::wake_waiters()
{
    InterruptsDisabled guard;   // a hook cannot be removed while it is being woken
    m_waiters.wake_all();
    for (PollHook& hook : m_poll_hooks)
        hook.queue->wake_all();
}

void Node::add_poll_hook(PollHook& hook)
{
    InterruptsDisabled guard;
    m_poll_hooks.push_back(hook);
}

void Node::remove_poll_hook(PollHook& hook)
{
    InterruptsDisabled guard;
    m_poll_hooks.remove(hook);
}

void Node::revoke()
{
    m_gate.close();
    wake_waiters();   // sleepers in wait_until (and pollers) see is_gone(): ENODEV, Hangup
    m_gate.drain(m_name);
    sched::MutexGuard guard(m_files_lock);
    while (File* file = m_open_files.pop_front()) {
        file->m_revoked = true;
        --m_open_count;
        m_file_ops.release(*file);
    }
}

void Node::count_call(bool is_write, ErrorOr<usize> const& result)
{
    if (result.is_error()) {
        int code = result.error().code();
        if (code != EAGAIN && code != ETIMEDOUT)
            count_error();
        return;
    }
    (is_write ? m_writes : m_reads).add();
    (is_write ? m_bytes_written : m_bytes_read).add(result.value());
}

CharDevice::CharDevice(StringView name, CharDevOps const& ops, void* data)
    : Node(NodeKind::Char, name, ops, ops.driver, data)
{
}

}
