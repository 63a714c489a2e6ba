// Device number bookkeeping (include/kernel/dev/numbers.h). Portable: also built into the host
// unit tests (tests/unit/dev_numbers_test.cpp).
#include <kernel/dev/numbers.h>
#include <kstd/enforce.h>

namespace dev {

bool NumberSpace::is_claimed(DeviceNumber number) const
{
    for (usize i = 0; i < m_count; ++i) {
        if (m_claimed[i] == number)
            return true;
    }
    return false;
}

bool NumberSpace::is_major_used(u16 major) const
{
    for (usize i = 0; i < m_count; ++i) {
        if (m_claimed[i].major == major)
            return true;
    }
    return false;
}

ErrorOr<DeviceNumber> NumberSpace::claim(u16 major, u16 minor)
{
    if (major > MAX_MAJOR || minor > MAX_MINOR)
        return Error::from_errno(EINVAL);
    if (m_count == CAPACITY)
        return Error::from_errno(ENOSPC);
    if (major == 0) {
        for (u16 candidate = DYNAMIC_HIGH; candidate >= DYNAMIC_LOW; --candidate) {
            if (!is_major_used(candidate)) {
                major = candidate;
                break;
            }
        }
        if (major == 0)
            return Error::from_errno(EBUSY);   // Linux says EBUSY too when the range is used up
    }
    DeviceNumber number { major, minor };
    if (is_claimed(number))
        return Error::from_errno(EBUSY);
    m_claimed[m_count++] = number;
    return number;
}

void NumberSpace::release(DeviceNumber number)
{
    for (usize i = 0; i < m_count; ++i) {
        if (m_claimed[i] == number) {
            m_claimed[i] = m_claimed[--m_count];   // order does not matter
            return;
        }
    }
    VERIFY(!"releasing a device number that is not claimed");
}

}
