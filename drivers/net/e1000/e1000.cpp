// Intel 8254x gigabit Ethernet (e1000): the PCI driver and the network-class interface.
//
// Hardware: the 82540EM (QEMU's `e1000`), 82544GC and 82545EM, which share one programming
// model: legacy descriptors, the same register block, the EEPROM through EERD (82540/82545) or
// bit-banged Microwire (82544). The e1000e (82574L) is a different chip and not driven here.
//
// Each NIC becomes a network interface eth0, eth1, ... in probe order; netdev::up() (the stack,
// kernel/net) brings it up: rings, interrupt, bottom half, in that order; down undoes it.
//
// Boot words:
//   e1000.napi=on|off     NAPI (napi.cpp, the default) or one frame per interrupt (irq.cpp)
//   e1000.budget=N        frames per NAPI poll (default 64)
//   e1000.itr=RATE        at most RATE interrupts/s (ITR), 0 for no throttling (default 20000)
//   e1000.rx_ring=N, e1000.tx_ring=N    descriptors per ring (multiples of 8, 8..4096; 256)
//
// Limitations: no checksum or segmentation offload, no VLANs, no multicast filter (the table is
// cleared: broadcast and our own address only), no jumbo frames, one RX and one TX queue.
#include "e1000.h"
#include <kernel/kernel.h>
#include <kernel/printk.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace e1000 {

namespace {

constexpr Variant VARIANTS[] = {
    { .name = "82540EM", .has_eerd = true },
    { .name = "82544GC", .has_eerd = false },
    { .name = "82545EM", .has_eerd = true },
};
enum VariantIndex : uptr { I82540EM, I82544GC, I82545EM };

// 8254x SDM Table 5-1; QEMU offers 100E (`e1000`), 100C (`e1000-82544gc`), 100F (`e1000-82545em`).
constexpr pci::PciId ids[] = {
    { .vendor = 0x8086, .device = 0x100E, .driver_data = I82540EM },   // 82540EM desktop
    { .vendor = 0x8086, .device = 0x1015, .driver_data = I82540EM },   // 82540EM LOM
    { .vendor = 0x8086, .device = 0x100C, .driver_data = I82544GC },   // 82544GC copper
    { .vendor = 0x8086, .device = 0x100D, .driver_data = I82544GC },   // 82544GC LOM
    { .vendor = 0x8086, .device = 0x100F, .driver_data = I82545EM },   // 82545EM copper
};

unsigned g_next_index = 0;      // Guarded by the PCI bus mutex (probe)
PciNic* g_nics[MAX_NICS] {};        // Guarded by the PCI bus mutex (probe/remove); read by the monitor

u32 cmdline_u32(char const* key, u32 fallback) { return u32(kernel_cmdline().get_u64(key, fallback)); }

irq::IrqReturn nic_interrupt(void* ctx)
{
    PciNic& nic = *static_cast<PciNic*>(ctx);
    return nic.mode->interrupt(nic);
}

void link_changed(void* ctx)   // Context: work item
{
    PciNic& nic = *static_cast<PciNic*>(ctx);
    hw_update_link(nic);
    hw_read_drop_counters(nic);
}

void close_rings(PciNic& nic)
{
    sched::SpinlockGuard guard(nic.tx_lock);   // an xmit may still be inside on another thread
    tx_free(nic.rings);
    rx_free(nic.rings);
}

ErrorOr<void> bring_up(PciNic& nic)
{
    TRY(tx_init(nic.rings, nic.tx_ring_size));
    TRY(rx_init(nic.rings, nic.rx_ring_size));
    nic.irq = TRY(nic.pci.request_irq(nic_interrupt, &nic, nic.name));
    TRY(nic.mode->start(nic));
    {
        sched::SpinlockGuard guard(nic.irq_lock);
        nic.interrupts_on = true;
        nic.rings_polling = false;
        interrupt_mask_locked(nic);
    }
    nic.open = true;
    hw_update_link(nic);
    return {};
}

void stop(dev::NetDevice& device)
{
    PciNic& nic = *static_cast<PciNic*>(device.data());
    {
        sched::SpinlockGuard guard(nic.irq_lock);
        nic.interrupts_on = false;
        interrupt_mask_locked(nic);
    }
    nic.irq.release();       // waits for nothing: the top half runs with interrupts off
    nic.mode->stop(nic);     // the bottom half is finished after this
    irq::system_workqueue().flush();
    close_rings(nic);
    nic.open = false;
}

ErrorOr<void> open(dev::NetDevice& device)
{
    PciNic& nic = *static_cast<PciNic*>(device.data());
    auto opened = bring_up(nic);
    if (opened.is_error()) {
        log_error("e1000: %s: cannot open: %s\n", nic.name, opened.error().name());
        stop(device);
    }
    return opened;
}

ErrorOr<void> xmit(dev::NetDevice& device, OwnPtr<dev::Packet> packet)
{
    PciNic& nic = *static_cast<PciNic*>(device.data());
    sched::SpinlockGuard guard(nic.tx_lock);
    if (nic.rings.tx.count == 0)
        return Error::from_errno(ENETDOWN);
    return nic.ring_ops->tx_frame(nic.rings, kstd::move(packet));
}

// Descriptors written back (DD) and not yet taken by a poll: memory reads only.
usize rx_pending(dev::NetDevice& device)
{
    PciNic& nic = *static_cast<PciNic*>(device.data());
    RxRing const& ring = nic.rings.rx;
    usize pending = 0;
    for (u32 i = ring.next_to_clean; ring.count && pending < ring.count; i = (i + 1) % ring.count, ++pending) {
        if (!(__atomic_load_n(&ring.desc[i].status, __ATOMIC_RELAXED) & rxstatus::DD))
            break;
    }
    return pending;
}

constexpr dev::NetDevOps netdev_ops {
    .driver = "e1000",
    .open = open,
    .stop = stop,
    .xmit = xmit,
    .rx_pending = rx_pending,
};

// The mode and ring operations this boot asks for: e1000.napi, and the grader's wrong drivers.
void choose_operations(PciNic& nic)
{
    nic.mode = kernel_cmdline().get_bool("e1000.napi", true) ? &napi_mode_ops : &irq_mode_ops;
    auto wrong = kernel_cmdline().get("selftest.wrong");
    if (!wrong.has_value())
        return;
    if (RingOps const* rings = wrong_ring_ops(*wrong)) {
        nic.ring_ops = rings;
        log_warn("e1000: %s: self-test: wrong ring operations '%s'\n", nic.name, rings->name);
    }
    if (NapiOps const* napi = wrong_napi_ops(*wrong)) {
        nic.napi_ops = napi;
        log_warn("e1000: %s: self-test: wrong NAPI operations '%s'\n", nic.name, napi->name);
    }
}

void configure(PciNic& nic)
{
    nic.rx_ring_size = cmdline_u32("e1000.rx_ring", DEFAULT_RX_RING);
    nic.tx_ring_size = cmdline_u32("e1000.tx_ring", DEFAULT_TX_RING);
    nic.napi_budget = kstd::max<u32>(1, cmdline_u32("e1000.budget", DEFAULT_NAPI_BUDGET));
    nic.itr_rate = cmdline_u32("e1000.itr", DEFAULT_ITR_RATE);
    choose_operations(nic);
}

ErrorOr<void> probe(pci::PciDevice& device, pci::PciId const& id)
{
    if (g_next_index >= MAX_NICS)
        return Error::from_errno(ENOSPC);
    auto nic = TRY(kstd::make<PciNic>(device, VARIANTS[id.driver_data], g_next_index));
    TRY(map_registers(*nic));
    configure(*nic);
    TRY(hw_reset(*nic));
    TRY(hw_load_mac(*nic));
    hw_setup_link(*nic);
    hw_set_itr(*nic, nic->itr_rate);
    dev::NetDevConfig config { .mac = nic->mac };
    nic->netdev = TRY(dev::register_netdev(nic->name, netdev_ops, config, nic.ptr()));
    u8 const* m = nic->mac.bytes;
    log_info("e1000: %s: %s at %#lx irq %u, MAC %02x:%02x:%02x:%02x:%02x:%02x, %s mode, rings %u/%u, link %s\n",
             nic->name, nic->variant.name, nic->mmio.phys(), unsigned(device.interrupt_line()), m[0], m[1], m[2],
             m[3], m[4], m[5], nic->mode->name, nic->rx_ring_size, nic->tx_ring_size, nic->link_up ? "up" : "down");
    g_nics[nic->index] = nic.ptr();
    ++g_next_index;
    device.adopt_driver_state(kstd::move(nic));
    return {};
}

void remove(pci::PciDevice& device)
{
    PciNic* nic = device.driver_state_as<PciNic>();
    if (!nic)
        return;
    g_nics[nic->index] = nullptr;
    nic->netdev.unregister();   // brings the interface down first
    nic->rings.regs.write(regs::imc, Interrupt::All);
}

constexpr pci::PciDriver driver {
    .name = "e1000",
    .ids = ids,
    .probe = probe,
    .remove = remove,
};
KERNEL_PCI_DRIVER(driver)

}

PciNic::PciNic(pci::PciDevice& pci_device, Variant const& chip, unsigned instance)
    : pci(pci_device)
    , variant(chip)
    , index(instance)
    , rx_tasklet(irq_bottom_half, this, "e1000-rx")
    , link_work(link_changed, this)
{
    kstd::snprintf(name, sizeof(name), "eth%u", instance);
    rings.deliver = deliver_frame;
    rings.deliver_ctx = this;
}

PciNic::~PciNic() = default;

void deliver_frame(void* ctx, OwnPtr<dev::Packet> frame)
{
    PciNic& nic = *static_cast<PciNic*>(ctx);
    netdev::receive(*nic.device(), kstd::move(frame));
}

void link_change_seen(Nic& nic) { irq::system_workqueue().queue(PciNic::of(nic).link_work); }

// Without the grader's instructor files (a student's tree) there are no wrong drivers.
[[gnu::weak]] RingOps const* wrong_ring_ops(StringView) { return nullptr; }
[[gnu::weak]] NapiOps const* wrong_napi_ops(StringView) { return nullptr; }

PciNic* nic_by_index(unsigned index) { return index < MAX_NICS ? g_nics[index] : nullptr; }

}
