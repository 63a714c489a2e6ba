// VGA text console (include/drivers/vgacon.h).
//
// Hardware: the colour text mode GRUB leaves (mode 3, 80x25): text buffer at 0xB8000, CRT
// controller at 0x3D4/0x3D5 (IBM VGA Technical Reference, see vgacon_regs.h). Every
// VGA-compatible adapter decodes those legacy ranges, whoever made it, so the driver binds to
// any PCI display controller of class 03:00 (VGA-compatible), whatever its vendor and device
// IDs, and, on a PC whose VGA is not a PCI function (an ISA card, a chipset's built-in one),
// to the platform bus's legacy device "vga.0" (kernel/bus/platform_legacy.cpp registers it
// only when no PCI function is VGA-compatible). Either way it binds only when the multiboot2
// framebuffer tag says "EGA text, 80x25 at 0xB8000" (a graphics mode would make the text
// buffer meaningless).
//
// Design: the terminal emulator (terminal.cpp) works on a copy of the screen in RAM; after each
// write the driver copies only the changed cells to video memory, mapped write-combining through
// the I/O manager, then moves the hardware cursor if it moved. Reading video memory is slow and
// never needed except once at probe, to take over GRUB's screen and cursor.
//
// Users: tty0's display (tty::console_attach_display, include/kernel/tty/console.h) and a
// printk console (register_console),
// so kernel log lines appear on the screen; the console path turns '\n' into CR LF itself, as
// printk output does not pass through a TTY. Both can run in any context, IRQ included, hence
// one IRQ-safe spinlock around the terminal and the hardware.
//
// Limitations: colour text mode only (no monochrome 0xB0000/0x3B4, no mode setting); one
// screen, no scroll-back; bytes are CP437 glyphs (no UTF-8); bright backgrounds blink.
#include "terminal.h"
#include "vgacon_regs.h"
#include <drivers/vgacon.h>
#include <kernel/boot_info.h>
#include <kernel/bus/pci.h>
#include <kernel/bus/platform.h>
#include <kernel/tty/console.h>
#include <kernel/io/io.h>
#include <kernel/printk.h>
#include <kernel/sched/sync.h>
#include <kstd/unique_ptr.h>
#include <kstd/enforce.h>

namespace vgacon {

namespace {

using hw::Crtc;

constexpr usize TEXT_BUFFER_BYTES = ROWS * COLUMNS * sizeof(u16);

struct VgaConsole final : bus::DriverState {
    io::MmioRegion memory;
    io::PortRange crtc_ports;
    io::MmioWindow cells;
    io::PortWindow crtc;
    Terminal terminal;
    u32 hw_position { ~0u };   // what the CRTC cursor registers hold
    bool hw_visible { true };
    Stats stats {};

    u8 read_crtc(Crtc index) const
    {
        crtc.write(hw::regs::crtc_index, u8(index));
        return crtc.read(hw::regs::crtc_data);
    }
    void write_crtc(Crtc index, u8 value) const
    {
        crtc.write(hw::regs::crtc_index, u8(index));
        crtc.write(hw::regs::crtc_data, value);
    }
    void adopt_screen();
    void flush();
    void write(ReadonlyBytes bytes);
    void write_log(char const* data, usize length);
};

// The one console (there is one legacy VGA range). g_lock guards g_vga and everything it points
// to; it is taken from any context, so it is a spinlock (interrupts off while held).
sched::Spinlock g_lock { "vgacon" };
VgaConsole* g_vga = nullptr;   // Guarded by g_lock

u16 g_boot_screen[ROWS * COLUMNS];   // probe only (bus mutex held)

void VgaConsole::adopt_screen()
{
    for (u32 i = 0; i < ROWS * COLUMNS; ++i)
        g_boot_screen[i] = cells.read16(i * 2);
    u32 position = u32(read_crtc(Crtc::CursorLocationHigh)) << 8 | read_crtc(Crtc::CursorLocationLow);
    if (position >= ROWS * COLUMNS)
        position = 0;
    terminal.load(kstd::Span<u16 const>(g_boot_screen, ROWS * COLUMNS), position / COLUMNS, position % COLUMNS);
    hw_position = position;
    hw_visible = !(read_crtc(Crtc::CursorStart) & hw::CURSOR_DISABLE);
    if (!hw_visible)
        terminal.write("\x1b[?25l");
}

// Copies the changed cells to video memory, then the cursor. Locking: g_lock held.
void VgaConsole::flush()
{
    for (u32 row = 0; row < ROWS; ++row) {
        u32 first, end;
        if (!terminal.dirty(row, &first, &end))
            continue;
        for (u32 column = first; column < end; ++column)
            cells.write16((row * COLUMNS + column) * 2, terminal.cell(row, column));
        stats.cells_written += end - first;
    }
    terminal.clear_dirty();
    io::wmb();   // write-combining: push the cells out before the cursor moves over them

    u32 const position = terminal.row() * COLUMNS + terminal.column();
    if (position != hw_position) {
        write_crtc(Crtc::CursorLocationLow, u8(position));
        write_crtc(Crtc::CursorLocationHigh, u8(position >> 8));
        hw_position = position;
    }
    if (terminal.cursor_visible() != hw_visible) {
        u8 const start = read_crtc(Crtc::CursorStart);
        write_crtc(Crtc::CursorStart, terminal.cursor_visible() ? u8(start & ~hw::CURSOR_DISABLE)
                                                               : u8(start | hw::CURSOR_DISABLE));
        hw_visible = terminal.cursor_visible();
    }
}

void VgaConsole::write(ReadonlyBytes bytes)
{
    terminal.write(bytes);
    stats.bytes += bytes.size();
    stats.scrolls = terminal.scrolls();
    flush();
}

// printk text: LF means "new line" there, so each one becomes CR LF.
void VgaConsole::write_log(char const* data, usize length)
{
    static constexpr u8 CRLF[] = { '\r', '\n' };
    auto const* bytes = reinterpret_cast<u8 const*>(data);
    usize start = 0;
    for (usize i = 0; i <= length; ++i) {
        if (i < length && bytes[i] != '\n')
            continue;
        terminal.write(ReadonlyBytes(bytes + start, i - start));
        if (i < length)
            terminal.write(ReadonlyBytes(CRLF, 2));
        start = i + 1;
    }
    stats.bytes += length;
    stats.log_bytes += length;
    stats.scrolls = terminal.scrolls();
    flush();
}

// Context: any (printk runs it with interrupts disabled).
void log_sink_write(char const* data, usize length)
{
    // Uniprocessor and interrupts off: a held lock means we interrupted our own screen update
    // (a fault inside it, say). Drop the text rather than deadlock; the debug console has it.
    if (g_lock.is_locked()) {
        if (g_vga)
            g_vga->stats.log_skipped += length;
        return;
    }
    sched::SpinlockGuard guard(g_lock);
    if (g_vga)
        g_vga->write_log(data, length);
}

ConsoleSink g_log_sink { "vga", log_sink_write, nullptr };

// tty0's display: its output goes through the terminal emulator to the screen.
class Display final : public tty::ConsoleDisplay {
public:
    void write(ReadonlyBytes bytes) override { vgacon::write(bytes); }
};
Display g_display;

// What both probes share: check the mode, map the text buffer and the CRTC, take over GRUB's
// screen; then (publish) become tty0's display and a printk console. `where` names the device.
ErrorOr<OwnPtr<VgaConsole>> prepare(char const* where)
{
    {
        sched::SpinlockGuard guard(g_lock);
        if (g_vga)
            return Error::from_errno(ENODEV);   // a second VGA: the legacy range is the first one's
    }
    BootInfo const& boot = boot_info();
    if (boot.framebuffer_type != hw::MULTIBOOT_FRAMEBUFFER_EGA_TEXT || boot.framebuffer_phys != hw::TEXT_BUFFER_PHYS
        || boot.framebuffer_width != COLUMNS || boot.framebuffer_height != ROWS) {
        log_info("vgacon: %s is not in 80x25 colour text mode (framebuffer type %u at %#lx): no text console\n",
                 where, boot.framebuffer_type, boot.framebuffer_phys);
        return Error::from_errno(ENODEV);
    }
    auto vga = TRY(kstd::make<VgaConsole>());
    vga->memory = TRY(io::map_mmio(hw::TEXT_BUFFER_PHYS, TEXT_BUFFER_BYTES, io::CachePolicy::WriteCombining, "vgacon"));
    vga->crtc_ports = TRY(io::reserve_ports(hw::CRTC_PORT_BASE, hw::CRTC_PORT_COUNT, "vgacon"));
    vga->cells = vga->memory.window();
    vga->crtc = vga->crtc_ports.window();
    vga->adopt_screen();
    return vga;
}

void publish(VgaConsole& console, char const* where)
{
    {
        sched::SpinlockGuard guard(g_lock);
        g_vga = &console;
    }
    register_console(g_log_sink);
    if (auto tty0 = tty::console_init(); tty0.is_error())
        log_warn("vgacon: no tty0: %s\n", tty0.error().name());
    tty::console_attach_display(g_display);
    log_info("vgacon: 80x25 text console on %s (text buffer %#lx, write-combining)\n", where, hw::TEXT_BUFFER_PHYS);
}

// Context: probe (the bus mutex held). Device: a pci::PciDevice or a platform::PlatformDevice.
template<typename Device>
ErrorOr<void> attach(Device& device)
{
    auto vga = TRY(prepare(device.name()));
    VgaConsole& console = *vga;
    device.adopt_driver_state(kstd::move(vga));
    publish(console, device.name());
    return {};
}

void detach()
{
    tty::console_detach_display();
    unregister_console(g_log_sink);
    sched::SpinlockGuard guard(g_lock);
    g_vga = nullptr;   // the bus destroys the state (and unmaps the buffer) next
}

ErrorOr<void> pci_probe(pci::PciDevice& device, pci::PciId const&) { return attach(device); }
void pci_remove(pci::PciDevice&) { detach(); }

// Any vendor, any device: what makes an adapter ours is its class, VGA-compatible.
constexpr pci::PciId vga_ids[] = {
    { .vendor = pci::ANY_ID, .device = pci::ANY_ID, .class_code = hw::PCI_CLASS_VGA,
      .class_mask = pci::CLASS_MASK_BASE_SUB },
};
constexpr pci::PciDriver vgacon_driver { .name = "vgacon", .ids = vga_ids, .probe = pci_probe, .remove = pci_remove };
KERNEL_PCI_DRIVER(vgacon_driver)

ErrorOr<void> platform_probe(platform::PlatformDevice& device) { return attach(device); }
void platform_remove(platform::PlatformDevice&) { detach(); }

constexpr platform::PlatformDriver vgacon_legacy_driver { .name = "vgacon", .match = "vga", .probe = platform_probe,
                                                          .remove = platform_remove };
KERNEL_PLATFORM_DRIVER(vgacon_legacy_driver)

}

bool is_present()
{
    sched::SpinlockGuard guard(g_lock);
    return g_vga != nullptr;
}

void write(ReadonlyBytes bytes)
{
    sched::SpinlockGuard guard(g_lock);
    if (g_vga)
        g_vga->write(bytes);
}

u16 read_cell(u32 row, u32 column)
{
    VERIFY(row < ROWS && column < COLUMNS);
    sched::SpinlockGuard guard(g_lock);
    return g_vga ? g_vga->cells.read16((row * COLUMNS + column) * 2) : 0;
}

Position cursor()
{
    sched::SpinlockGuard guard(g_lock);
    if (!g_vga)
        return { 0, 0 };
    u32 const position = u32(g_vga->read_crtc(Crtc::CursorLocationHigh)) << 8 | g_vga->read_crtc(Crtc::CursorLocationLow);
    return { position / COLUMNS, position % COLUMNS };
}

bool cursor_visible()
{
    sched::SpinlockGuard guard(g_lock);
    return g_vga && !(g_vga->read_crtc(Crtc::CursorStart) & hw::CURSOR_DISABLE);
}

Stats stats()
{
    sched::SpinlockGuard guard(g_lock);
    return g_vga ? g_vga->stats : Stats {};
}

}
