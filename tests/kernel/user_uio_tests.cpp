// User-mode drivers through /dev/uio0: mapped MMIO with the memory type the I/O manager chose,
// read back from the PAT bits (the std-VGA function); interrupts delivered through the file to a
// 16550 driver in ring 3 that owns its ports by ioperm (COM2 in loopback); who owns which range
// (t_uio ranges). The rubric boots with uio= naming the device.
#include "../../lab/09-user-drivers/tests/program_runner.h"
#include <kernel/test.h>
#include <kstd/enforce.h>

KTEST(user_uio_mmap_cache_types, CORE_SUITE)
{
    char const* argv[] = { "t_uio", "vga" };
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, ": write-combining (PAT entry 4); registers ");
    EXPECT_OUTPUT(run, ": uncached (PAT entry 3)");
    return {};
}

KTEST(user_uio_interrupts_through_file, CORE_SUITE)
{
    char const* argv[] = { "t_uio", "loopback", "200" };
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    EXPECT_OUTPUT(run, "200 bytes received through ");
    return {};
}

KTEST(user_uio_ranges_owned_once, CORE_SUITE)
{
    char const* argv[] = { "t_uio", "ranges" };
    auto run = TRY(user_test::run(argv));
    EXPECT_EXIT(run, 0);
    return {};
}
