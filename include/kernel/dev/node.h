#pragma once
// Node: one name in /dev. A char device *is* a node; a block device is a node too (BlockDevice
// derives from it), whose file table is the block core's byte-to-sector translation.
//
// A node is reference counted: the registry holds one reference, every open File one, every
// Ref<> from a lookup one. Unregistering drops the registry's, so the object outlives the
// registration until the last File closes (see object.h for the whole story).
//
// Drivers rarely touch a Node directly; they get `file.device_data()` and their handle. devfs,
// `lsdev` and the class cores use the rest.
#include <kernel/dev/chardev.h>
#include <kernel/dev/file.h>
#include <kernel/dev/numbers.h>
#include <kernel/dev/object.h>
#include <kernel/sched/sync.h>
#include <kstd/intrusive_list.h>
#include <kstd/string.h>

namespace dev {

enum class NodeKind : u8 { Char, Block };
char const* kind_name(NodeKind kind);   // "char", "block"

// What the class core counted on this node's Files.
struct NodeStats {
    u64 opens;
    u64 reads;           // read() calls that succeeded
    u64 writes;
    u64 bytes_read;
    u64 bytes_written;
    u64 errors;          // calls the driver failed (EAGAIN and ETIMEDOUT not counted)
};

// A dev::poll() call waiting on a node besides its own wait queue (kernel/dev/poll.cpp): the
// node's wake-ups are passed on to `queue`. It lives on the polling thread's stack for the
// length of one poll.
struct PollHook {
    sched::WaitQueue* queue { nullptr };
    IntrusiveListNode link;
};

class Node : public RefCounted {
public:
    char const* name() const { return m_name; }
    NodeKind kind() const { return m_kind; }
    DeviceNumber number() const { return m_number; }
    char const* driver() const { return m_driver; }
    void* data() const { return m_data; }
    // The resolved table (no null entries) that Files dispatch through.
    CharDevOps const& file_ops() const { return m_file_ops; }
    bool is_gone() const { return m_gate.is_closed(); }
    u32 open_count() const { return __atomic_load_n(&m_open_count, __ATOMIC_RELAXED); }
    NodeStats stats() const;

    // Wakes threads sleeping in chardev::wait_until / File::wait on this node, and every
    // dev::poll() that includes it. Context: any.
    void wake_waiters();
    // dev::poll() registers here while it sleeps. Context: any (interrupts off inside).
    void add_poll_hook(PollHook& hook);
    void remove_poll_hook(PollHook& hook);

    // --- Used by the device core (kernel/dev), not by drivers ----------------------------------

    Gate& gate() { return m_gate; }
    Gate const& gate() const { return m_gate; }
    sched::WaitQueue& waiters() { return m_waiters; }
    void set_number(DeviceNumber number) { m_number = number; }
    // Attaches `file` (open flags already checked) and runs the driver's open().
    // Errors: ENODEV (unregistered meanwhile) or open()'s. Context: thread.
    [[nodiscard]] ErrorOr<void> attach(File& file, OpenFlags flags);
    // Runs release() unless unregistering already did, and detaches. Context: thread.
    void detach(File& file);
    // Unregistering, after the name is gone: closes the gate, wakes sleepers, waits for the
    // calls inside to finish, then releases every open File. Context: thread.
    void revoke();
    void count_call(bool is_write, ErrorOr<usize> const& result);
    void count_error() { m_errors.add(); }

    IntrusiveListNode m_devfs_link;   // Guarded by the devfs lock

protected:
    // `ops` must already be resolved (chardev::with_defaults or the block core's table).
    Node(NodeKind kind, StringView name, CharDevOps const& ops, char const* driver, void* data);
    ~Node() override;

private:
    char m_name[MAX_NAME_LENGTH + 1] {};
    NodeKind m_kind;
    DeviceNumber m_number {};
    CharDevOps m_file_ops;
    char const* m_driver;
    void* m_data;

    Gate m_gate;
    sched::WaitQueue m_waiters;
    IntrusiveList<PollHook, &PollHook::link> m_poll_hooks;   // Guarded by disabling interrupts
    sched::Mutex m_files_lock { "dev-files" };
    IntrusiveList<File, &File::m_open_link> m_open_files;   // Guarded by m_files_lock
    u32 m_open_count { 0 };                                 // Guarded by m_files_lock

    Counter m_opens, m_reads, m_writes, m_bytes_read, m_bytes_written, m_errors;
};

class CharDevice final : public Node {
public:
    CharDevice(StringView name, CharDevOps const& ops, void* data);
};

}
