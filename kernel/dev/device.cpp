// dev::Device (include/kernel/dev/device.h): the out-of-line part.
#include <kernel/dev/device.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace dev {

void Device::set_name(char const* name) { kstd::copy_string(m_name, sizeof(m_name), kstd::StringView(name)); }

}
