#pragma once
// Device numbers: (major, minor), as in Unix since V6. The major names the driver ("1 = memory
// devices"), the minor one device of that driver ("1:3 = null, 1:5 = zero"). Character and block
// devices have separate number spaces, so char 1:0 and block 1:0 (ram0) are different devices.
// Network interfaces have no device numbers; they are named and carry an interface index.
//
// Well-known numbers in Conduit follow Linux (Documentation/admin-guide/devices.txt):
//   char 1:3 null, 1:5 zero, 4:64.. ttyS0..;   block 1:0.. ram0..;   block 3:0 the first ATA disk.
// A driver without a well-known major passes major 0 and gets a free one from the dynamic range,
// then uses that major for its further minors.
//
// NumberSpace is portable bookkeeping (no locks, no heap); the class cores guard theirs with the
// devfs lock. Context: any. Locking: the owner's.
#include <kstd/error.h>
#include <kstd/types.h>

namespace dev {

struct DeviceNumber {
    u16 major { 0 };
    u16 minor { 0 };
    constexpr bool operator==(DeviceNumber const&) const = default;
};

class NumberSpace {
public:
    static constexpr u16 MAX_MAJOR = 255;
    static constexpr u16 MAX_MINOR = 255;
    // major 0 asks for a dynamic major: the highest one in [DYNAMIC_LOW, DYNAMIC_HIGH] that no
    // device uses yet (Linux hands them out from 254 downwards in the same way).
    static constexpr u16 DYNAMIC_HIGH = 254;
    static constexpr u16 DYNAMIC_LOW = 200;
    static constexpr usize CAPACITY = 64;   // devices per class; a teaching kernel has few

    // Claims (major, minor), or (a fresh dynamic major, minor) when major is 0.
    // Errors: EINVAL (major or minor above the maximum), EBUSY (the number is taken, or no
    // dynamic major is left), ENOSPC (CAPACITY devices already registered).
    [[nodiscard]] ErrorOr<DeviceNumber> claim(u16 major, u16 minor);
    // Gives a claimed number back. Releasing a number that is not claimed is a VERIFY failure.
    void release(DeviceNumber number);

    bool is_claimed(DeviceNumber number) const;
    bool is_major_used(u16 major) const;
    usize size() const { return m_count; }

private:
    DeviceNumber m_claimed[CAPACITY] {};
    usize m_count { 0 };
};

}
