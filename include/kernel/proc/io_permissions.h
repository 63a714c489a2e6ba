#pragma once
// The ports a process may use from ring 3: its copy of the TSS I/O permission bitmap (Intel SDM
// vol. 1, 19.5.2: one bit per port, a set bit denies it) and the I/O manager reservations that
// make those ports its own. ioperm() grants and revokes; the scheduler's switch hook loads the
// bitmap into the TSS whenever the process's thread runs, so an IN or OUT to any other port
// raises #GP in the process, which kills it with a message naming the port.
//
// A port granted here is reserved in the I/O manager for the process (exclusive): no other
// process and no kernel driver can hold it at the same time (EBUSY names the holder in the log),
// and exiting gives it back.
// Context: thread (the process's own). Locking: none (only the owner changes it).
#include <kernel/io/io.h>
#include <kstd/error.h>
#include <kstd/string.h>
#include <kstd/types.h>
#include <kstd/unique_ptr.h>

namespace proc {

class IoPermissions {
public:
    static constexpr usize MAX_GRANTS = 16;   // separate ioperm ranges a process may hold

    IoPermissions() = default;
    IoPermissions(IoPermissions const&) = delete;
    IoPermissions& operator=(IoPermissions const&) = delete;
    ~IoPermissions() { release_all(); }

    // ioperm(first, count, 1): reserves [first, first + count) for `owner` and allows ring 3 to
    // use those ports. EINVAL: count 0 or the range runs past port 0xFFFF; EBUSY: somebody holds
    // one of the ports (this process included: grant each port once); ENOSPC: MAX_GRANTS
    // ranges held already; ENOMEM.
    [[nodiscard]] ErrorOr<void> grant(u32 first, u32 count, char const* owner);
    // ioperm(first, count, 0): gives back every granted range that lies inside
    // [first, first + count). EINVAL: a bad range, or one that cuts a granted range in two.
    [[nodiscard]] ErrorOr<void> revoke(u32 first, u32 count);
    void release_all();

    // Loads this bitmap into the TSS (or denies everything when nothing is granted).
    // Context: any, interrupts disabled (the switch hook).
    void activate() const;

    bool allows(u16 port) const;
    u32 ports_granted() const;

    // The grader's purpose-made wrong implementations of grant() (instructor-only files)
    // register here; `selftest.wrong=NAME` on the command line makes grant() run that one.
    using GrantFunction = ErrorOr<void> (*)(IoPermissions& self, u32 first, u32 count, char const* owner);
    static void register_wrong_variant(char const* name, GrantFunction grant);
    // Picks the variant the command line names (proc::init). Context: boot.
    static void select_variant(StringView name);

private:
    friend struct IoPermissionsSelftest;   // the wrong variants reach the state below

    // The lab's functions (io_permissions.cpp): the real grant(), and the bit arithmetic.
    ErrorOr<void> grant_ports(u32 first, u32 count, char const* owner);
    void set_bits(u32 first, u32 count, bool denied);

    struct Bitmap {
        u8 bits[65536 / 8];
    };
    OwnPtr<Bitmap> m_bitmap;     // allocated on the first grant, all ones (denied) at first
    usize m_bytes_in_use { 0 };  // bytes of m_bitmap that may hold a clear bit
    u64 m_generation { 0 };      // bumped on every change, so the TSS copy is refreshed
    io::PortRange m_grants[MAX_GRANTS];
};

}
