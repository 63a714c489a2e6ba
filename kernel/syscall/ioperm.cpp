// ioperm(first_port, count, on) (kernel/syscall/calls.h): ports for a user-mode driver. The
// work is in proc::IoPermissions (kernel/proc/io_permissions.cpp, lab 9); here the arguments
// are checked and the new bitmap takes effect at once, before the caller returns to ring 3.
#include "calls.h"
#include <kernel/irq_flags.h>
#include <kstd/enforce.h>

namespace syscall {

Result sys_ioperm(Arguments const& args)
{
    u64 first = args.a0, count = args.a1, on = args.a2;
    if (on > 1 || first > 0xFFFF || count > 0x10000)
        return Error::from_errno(EINVAL);
    if (on)
        TRY(args.process.io.grant(u32(first), u32(count), args.process.owner_name));
    else
        TRY(args.process.io.revoke(u32(first), u32(count)));
    InterruptsDisabled guard;
    args.process.io.activate();
    return 0;
}

}
