// Grader self-tests for lab 9's ioperm (instructor-only: never in a handout). Each is a
// purpose-made wrong grant() that `selftest.wrong=NAME` selects (IoPermissions::select_variant);
// lab9_ioperm_exact_range must fail on each with a message that names the mistake
// (tests/kernel/rubric.toml, INSTRUCTOR block).
//   ioperm_inverted_bits   sets a port's bit to grant it (the CPU allows ports whose bit is 0)
//   ioperm_off_by_one      grants first .. first + count, one port too many
//   ioperm_no_reservation  changes the bitmap without reserving the ports in the I/O manager
#include <kernel/proc/io_permissions.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace proc {

struct IoPermissionsSelftest {
    static ErrorOr<void> inverted_bits(IoPermissions& self, u32 first, u32 count, char const* owner)
    {
        if (count == 0 || first >= 65536 || count > 65536 - first)
            return Error::from_errno(EINVAL);
        if (!self.m_bitmap) {
            self.m_bitmap = TRY(kstd::make<IoPermissions::Bitmap>());
            memset(self.m_bitmap->bits, 0x00, sizeof(self.m_bitmap->bits));   // "0 = denied"
        }
        self.m_grants[0] = TRY(io::reserve_ports(u16(first), u16(count), owner));
        for (u32 port = first; port < first + count; ++port)
            self.m_bitmap->bits[port / 8] |= u8(1u << (port % 8));          // "1 = allowed"
        self.m_bytes_in_use = (first + count + 7) / 8;
        ++self.m_generation;
        return {};
    }

    static ErrorOr<void> off_by_one(IoPermissions& self, u32 first, u32 count, char const* owner)
    {
        return self.grant_ports(first, count + 1, owner);
    }

    static ErrorOr<void> no_reservation(IoPermissions& self, u32 first, u32 count, char const*)
    {
        if (count == 0 || first >= 65536 || count > 65536 - first)
            return Error::from_errno(EINVAL);
        if (!self.m_bitmap) {
            self.m_bitmap = TRY(kstd::make<IoPermissions::Bitmap>());
            memset(self.m_bitmap->bits, 0xFF, sizeof(self.m_bitmap->bits));
        }
        self.set_bits(first, count, false);
        return {};
    }
};

namespace {

// Registered before kernel_main reads the command line (global constructors run first).
struct Register {
    Register()
    {
        IoPermissions::register_wrong_variant("ioperm_inverted_bits", IoPermissionsSelftest::inverted_bits);
        IoPermissions::register_wrong_variant("ioperm_off_by_one", IoPermissionsSelftest::off_by_one);
        IoPermissions::register_wrong_variant("ioperm_no_reservation", IoPermissionsSelftest::no_reservation);
    }
} g_register;

}

}
