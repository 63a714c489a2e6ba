// kernel_main: the order in which Conduit comes up (docs/architecture.md, "Boot").
#include <arch/interrupts.h>
#include <arch/platform.h>
#include <kernel/acpi/acpi.h>
#include <kernel/boot_info.h>
#include <kernel/bus/bus.h>
#include <kernel/dev/builtin.h>
#include <kernel/io/dma.h>
#include <kernel/io/io.h>
#include <kernel/irq/irqchip.h>
#include <kernel/irq/tasklet.h>
#include <kernel/irq/workqueue.h>
#include <kernel/irq_flags.h>
#include <kernel/kernel.h>
#include <kernel/mm/init.h>
#include <kernel/mm/layout.h>
#include <kernel/monitor.h>
#include <kernel/multiboot2.h>
#include <kernel/net/net.h>
#include <kernel/panic.h>
#include <kernel/printk.h>
#include <kernel/runtime.h>
#include <kernel/sched/thread.h>
#include <kernel/symbols.h>
#include <kernel/test.h>
#include <kernel/time/clock.h>
#include <kstd/enforce.h>

namespace {

BootInfo g_boot_info;
CommandLine g_cmdline;

void serial_console_write(char const* data, usize length) { arch::early_serial_write(data, length); }
ConsoleSink g_serial_console { "serial", serial_console_write, nullptr };

// GRUB's line first, then QEMU's fw_cfg file, whose words override GRUB's: the harness boots
// one ISO many ways.
void load_command_line()
{
    if (auto result = g_cmdline.parse(kstd::StringView(g_boot_info.cmdline)); result.is_error())
        log_warn("boot command line ignored: %s\n", result.error().name());
    static u8 extension[1024];
    auto size = arch::fw_cfg_read_file("opt/conduit/cmdline", extension, sizeof(extension) - 1);
    if (size.is_error()) {
        if (size.error().code() != ENOENT && size.error().code() != ENODEV)
            log_warn("fw_cfg opt/conduit/cmdline unreadable: %s\n", size.error().name());
        return;
    }
    auto text = kstd::StringView(reinterpret_cast<char const*>(extension), size.value()).trim();
    if (auto result = g_cmdline.extend(text); result.is_error())
        log_warn("fw_cfg command line ignored: %s\n", result.error().name());
}

void apply_log_level()
{
    auto level_text = g_cmdline.get(kstd::StringView("loglevel"));
    if (!level_text.has_value())
        return;
    char name[16];
    kstd::copy_string(name, sizeof(name), *level_text);
    LogLevel level;
    if (parse_log_level(name, &level))
        set_log_level(level);
    else
        log_warn("loglevel=%s is not one of debug, info, warn, error\n", name);
}

// `irqchip=pic|apic` (default pic). Without a usable MADT the APIC cannot be used: say so and
// fall back to the PIC rather than boot without interrupts.
void bring_up_interrupt_controller()
{
    if (auto acpi = acpi::init(); acpi.is_error())
        log_warn("acpi: no usable tables (%s); only the 8259 PIC is available\n", acpi.error().name());
    auto requested = g_cmdline.get(kstd::StringView("irqchip"));
    irq::ChipKind kind = irq::ChipKind::Pic;
    if (requested.has_value() && *requested == kstd::StringView("apic"))
        kind = irq::ChipKind::Apic;
    else if (requested.has_value() && !(*requested == kstd::StringView("pic")))
        log_warn("irqchip=%.*s is not pic or apic; using the PIC\n", int(requested->length()), requested->characters());
    auto chip = irq::init_irqchip(kind);
    if (chip.is_error() && kind == irq::ChipKind::Apic) {
        log_warn("irqchip: APIC unavailable (%s); falling back to the 8259 PIC\n", chip.error().name());
        chip = irq::init_irqchip(irq::ChipKind::Pic);
    }
    if (chip.is_error())
        panic("no interrupt controller: %s", chip.error().name());
    log_info("irq: %s\n", irq::irqchip().name());
}

// Interrupt controller, clock, scheduler, tick, then interrupts on, the bottom-half threads and
// the I/O manager's own ranges and DMA bounce pool (docs/architecture.md).
void bring_up_kernel_core()
{
    bring_up_interrupt_controller();
    time::calibrate();
    sched::init();
    time::start_tick(sched::on_tick);
    arch::enable_interrupts_now();
    irq::init_softirq_thread();
    irq::init_workqueues();
    io::reserve_fixed_ranges();
    io::dma_init();
    log_info("time: TSC %lu kHz, tick from %s at %u Hz\n", time::tsc_hz() / 1000, time::tick_source(),
             time::TICK_HZ);
}

// The class cores and their reference devices (null, zero, ram0, lo), then the buses find the
// hardware and drivers bind to it (docs/architecture.md, "The device model"), then the network stack configures the
// interfaces they registered (docs/network.md).
void bring_up_devices()
{
    dev::init_builtin_devices();
    if (auto buses = bus::init(); buses.is_error())
        log_warn("bus: %s\n", buses.error().name());
    bus::probe_drivers();
    net::init();
}

}

BootInfo const& boot_info() { return g_boot_info; }
CommandLine const& kernel_cmdline() { return g_cmdline; }

extern "C" [[noreturn]] void kernel_main(u32 magic, u32 mbi_phys)
{
    runtime::run_global_constructors();
    arch::early_serial_init();
    register_console(g_serial_console);
    arch::init_cpu_tables();

    if (magic != multiboot2::BOOTLOADER_MAGIC)
        panic("not booted by a multiboot2 loader (magic %x)", magic);
    if (auto parsed = multiboot2::parse(mm::phys_to_ptr<void const>(mbi_phys), mbi_phys, g_boot_info);
        parsed.is_error())
        panic("malformed multiboot2 information at %x: %s", mbi_phys, parsed.error().name());

    load_command_line();
    apply_log_level();
    symbols::init(g_boot_info);
    mm::init(g_boot_info);
    bring_up_kernel_core();
    bring_up_devices();

    kprint("Conduit: an I/O teaching kernel (x86_64), booted by %s\n", g_boot_info.bootloader);
    ktest::announce_boot();

    auto selector = g_cmdline.get(kstd::StringView("test"));
    if (selector.has_value()) {
        char text[64];
        kstd::copy_string(text, sizeof(text), *selector);
        ktest::run_selected(text);
    }
    monitor::run();
}
