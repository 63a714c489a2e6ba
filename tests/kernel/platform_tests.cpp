// The platform bus (kernel/bus/platform*.cpp): which legacy devices bus::init() registers on
// each machine, binding by device name, and the failed-probe discipline. The rubric tells the
// test what the machine has through the command line: `ktest.com2=1` when it adds a second
// serial port, `ktest.ata=0|1` for whether legacy ATA channels exist.
#include <kernel/bus/bus.h>
#include <kernel/bus/platform.h>
#include <kernel/irq/irq.h>
#include <kernel/kernel.h>
#include <kernel/test.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace {

using namespace platform;

ErrorOr<void> expect_resource(PlatformDevice const& device, char const* name, ResourceKind kind, u32 start, u32 length)
{
    auto r = device.resource(name);
    EXPECT_MSG(r.has_value(), "%s has no resource %s", device.name(), name);
    EXPECT(r->kind == kind);
    EXPECT_EQ(r->start, start);
    EXPECT_EQ(r->length, length);
    return {};
}

struct Counters {
    u32 probes;
    u32 removes;
    u32 states_destroyed;
};
Counters g_counts;

struct TestState final : bus::DriverState {
    ~TestState() override { ++g_counts.states_destroyed; }
    io::PortRange ports;
    irq::IrqHandle irq;
};

ErrorOr<void> uart_probe(PlatformDevice& device)
{
    ++g_counts.probes;
    auto state = TRY(kstd::make<TestState>());
    // The early console shares COM1; a test must not take it away.
    state->ports = TRY(device.reserve_ports("io", nullptr, io::Sharing::Shared));
    device.adopt_driver_state(kstd::move(state));
    return {};
}
void count_remove(PlatformDevice&) { ++g_counts.removes; }
constinit PlatformDriver const uart_test_driver { .name = "ktest-uart", .match = "serial8250", .probe = uart_probe,
                                                  .remove = count_remove };

irq::IrqReturn never_mine(void*) { return irq::IrqReturn::None; }

bool g_adopt_before_failing = false;
ErrorOr<void> failing_probe(PlatformDevice& device)
{
    ++g_counts.probes;
    auto state = TRY(kstd::make<TestState>());
    state->ports = TRY(device.reserve_ports("io"));
    state->irq = TRY(device.request_irq("irq", never_mine, state.ptr()));
    if (g_adopt_before_failing)
        device.adopt_driver_state(kstd::move(state));
    return Error::from_errno(ETIMEDOUT);   // "the device never answered"
}
constinit PlatformDriver const failing_driver { .name = "ktest_platform", .match = nullptr, .probe = failing_probe,
                                                .remove = count_remove };

// Ports and an ISA IRQ no QEMU device uses.
constexpr Resource TEST_RESOURCES[] = {
    { "io", ResourceKind::Ports, 0x280, 8 },
    { "irq", ResourceKind::Irq, 5, 1 },
};

class Borrowed {
public:
    explicit Borrowed(PlatformDevice& device) : m_device(device), m_previous(device.driver())
    {
        if (m_previous)
            (void)unbind(device);
    }
    ~Borrowed()
    {
        if (m_device.driver())
            (void)unbind(m_device);
        if (m_previous)
            (void)bind(m_device, *m_previous);
    }
    Borrowed(Borrowed const&) = delete;
    Borrowed& operator=(Borrowed const&) = delete;

private:
    PlatformDevice& m_device;
    PlatformDriver const* m_previous;
};

}

KTEST(platform_legacy_devices, CORE_SUITE)
{
    (void)bus::init();
    auto const& cmdline = kernel_cmdline();

    PlatformDevice* com1 = find("serial8250", 0);
    EXPECT_MSG(com1, "COM1 not registered");
    EXPECT(kstd::strcmp(com1->name(), "serial8250.0") == 0);
    TRY(expect_resource(*com1, "io", ResourceKind::Ports, 0x3F8, 8));
    TRY(expect_resource(*com1, "irq", ResourceKind::Irq, 4, 1));
    EXPECT(com1->irq_line("irq").has_value());

    bool com2_expected = cmdline.get_bool(kstd::StringView("ktest.com2"), false);
    PlatformDevice* com2 = find("serial8250", 1);
    EXPECT_MSG(bool(com2) == com2_expected, "COM2 %s", com2 ? "registered but absent" : "present but not registered");
    if (com2)
        TRY(expect_resource(*com2, "irq", ResourceKind::Irq, 3, 1));
    EXPECT(!find("serial8250", 3));   // COM4: nobody adds one

    PlatformDevice* kbc = find("i8042", 0);
    EXPECT_MSG(kbc, "i8042 not registered (the FADT says it exists)");
    TRY(expect_resource(*kbc, "data", ResourceKind::Ports, 0x60, 1));
    TRY(expect_resource(*kbc, "cmd", ResourceKind::Ports, 0x64, 1));
    TRY(expect_resource(*kbc, "kbd-irq", ResourceKind::Irq, 1, 1));
    TRY(expect_resource(*kbc, "aux-irq", ResourceKind::Irq, 12, 1));

    bool ata_expected = cmdline.get_bool(kstd::StringView("ktest.ata"), true);
    for (u32 channel = 0; channel < 2; ++channel) {
        PlatformDevice* ata = find("ata_legacy", channel);
        EXPECT_MSG(bool(ata) == ata_expected, "ata_legacy.%u: expected %s", channel, ata_expected ? "present" : "absent");
    }
    if (ata_expected) {
        TRY(expect_resource(*find("ata_legacy", 0), "cmd", ResourceKind::Ports, 0x1F0, 8));
        TRY(expect_resource(*find("ata_legacy", 0), "ctl", ResourceKind::Ports, 0x3F6, 1));
        TRY(expect_resource(*find("ata_legacy", 0), "irq", ResourceKind::Irq, 14, 1));
        TRY(expect_resource(*find("ata_legacy", 1), "cmd", ResourceKind::Ports, 0x170, 8));
        TRY(expect_resource(*find("ata_legacy", 1), "irq", ResourceKind::Irq, 15, 1));
    }
    return {};
}

KTEST(platform_bind_by_name, CORE_SUITE)
{
    (void)bus::init();
    PlatformDevice* com1 = find("serial8250", 0);
    PlatformDevice* kbc = find("i8042", 0);
    EXPECT(com1 && kbc);
    EXPECT(matches(uart_test_driver, *com1));
    EXPECT(!matches(uart_test_driver, *kbc));
    Borrowed borrowed(*com1);
    Borrowed keyboard(*kbc);   // the PS/2 keyboard driver normally holds the i8042
    g_counts = {};

    EXPECT_ERROR(bind(*kbc, uart_test_driver), ENODEV);
    EXPECT_EQ(g_counts.probes, 0u);
    EXPECT_OK(bind(*com1, uart_test_driver));
    EXPECT_EQ(g_counts.probes, 1u);
    EXPECT_EQ(com1->driver(), &uart_test_driver);
    EXPECT(kstd::strcmp(com1->driver_name(), "ktest-uart") == 0);
    EXPECT(com1->driver_state_as<TestState>()->ports.is_valid());
    EXPECT(kstd::strcmp(com1->driver_state_as<TestState>()->ports.owner(), "ktest-uart") == 0);
    EXPECT_ERROR(bind(*com1, uart_test_driver), EBUSY);
    EXPECT_OK(unbind(*com1));
    EXPECT_EQ(g_counts.removes, 1u);
    EXPECT_EQ(g_counts.states_destroyed, 1u);
    EXPECT(!com1->driver());
    EXPECT_ERROR(unbind(*com1), ENOENT);
    return {};
}

// The probe reserves the device's ports exclusively and requests its IRQ, then fails, once
// with its state in a local and once after adopting it: both unwind completely.
KTEST(platform_failed_probe_unwinds, CORE_SUITE)
{
    (void)bus::init();
    PlatformDevice* device = find("ktest_platform", 0);
    if (!device)
        device = EXPECT_OK(register_device("ktest_platform", 0, TEST_RESOURCES));
    EXPECT_ERROR(register_device("ktest_platform", 0, TEST_RESOURCES), EEXIST);
    Resource const too_many[5] = { TEST_RESOURCES[0], TEST_RESOURCES[0], TEST_RESOURCES[0], TEST_RESOURCES[0],
                                   TEST_RESOURCES[0] };
    EXPECT_ERROR(register_device("ktest_too_many", 0, too_many), EINVAL);

    auto line = device->irq_line("irq");
    EXPECT(line.has_value());
    u32 handlers_before = irq::line_stats(*line).handlers;
    g_counts = {};
    for (bool adopt : { false, true }) {
        g_adopt_before_failing = adopt;
        EXPECT_ERROR(bind(*device, failing_driver), ETIMEDOUT);
        EXPECT(!device->driver());
        EXPECT(!device->driver_state());
        EXPECT_EQ(irq::line_stats(*line).handlers, handlers_before);
        auto again = EXPECT_OK(device->reserve_ports("io", "ktest-again"));
        EXPECT_EQ(again.base(), 0x280u);
    }
    EXPECT_EQ(g_counts.probes, 2u);
    EXPECT_EQ(g_counts.removes, 0u);
    EXPECT_EQ(g_counts.states_destroyed, 2u);
    auto exclusive = EXPECT_OK(device->request_irq("irq", never_mine, nullptr, "ktest-excl"));
    exclusive.release();
    return {};
}
