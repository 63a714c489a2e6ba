# Conduit top-level Makefile. Out-of-tree build into build/, parallel-safe, with dependency
# files so that a header change rebuilds what includes it.
#
#   make run            build and boot in QEMU, serial console on this terminal
#   make check          every test: host unit tests, grader self-tests, in-kernel tests, handouts
#   make grade [LAB=N] [TEST=name]   grade labs with lab/grader
#   make qemu-gdb / make gdb         debug (see README.md)

BUILD      := build
ARCH_DIR   := arch/x86_64
PYTHON     ?= python3
QEMU       ?= qemu-system-x86_64
MACHINE    ?= q35
MEMORY     ?= 128M
ACCEL      ?= tcg
JOBS       ?= $(shell nproc)
GDBPORT    ?= $(shell echo $$(( $$(id -u) % 5000 + 25000 )))
CMDLINE    ?=

.DEFAULT_GOAL := all
# Parallel by default: the kernel and the host tests are many small files.
MAKEFLAGS  += --no-builtin-rules -j$(JOBS)

# --- toolchain and flags (docs/style.md, "Freestanding C++") -------------------------------------
# Beyond that page's list: no tail calls and prologues at function entry, so that a panic's
# backtrace shows every frame a student expects to see (frameless leaf functions are handled by
# the unwinder, kernel/panic.cpp).
CXX        := g++
KERNEL_CXXFLAGS := -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -fno-pie -fno-pic \
    -mcmodel=kernel -mno-red-zone -mgeneral-regs-only -fno-threadsafe-statics \
    -fno-asynchronous-unwind-tables -fno-stack-protector -fno-omit-frame-pointer \
    -fno-use-cxa-atexit -fsized-deallocation -O2 -g \
    -fno-optimize-sibling-calls -fno-shrink-wrap -Wall -Wextra -Werror=return-type \
    -Wno-missing-field-initializers -Iinclude -MMD -MP \
    -fdebug-prefix-map=$(CURDIR)=.
KERNEL_ASFLAGS := -fno-pie -fno-pic -mcmodel=kernel -g -Iinclude -MMD -MP
# House rule (docs/style.md): only arch/ sees the architecture's internals (arch/x86_64/include:
# port instructions, control registers). kernel/, drivers/, lab/ and tests/ are compiled without
# that path, so they can reach the CPU only through include/arch/; tools/check_rules.py checks
# the sources as well.
ARCH_INCLUDE := -I$(ARCH_DIR)/include
$(BUILD)/kernel/$(ARCH_DIR)/%.o: KERNEL_CXXFLAGS += $(ARCH_INCLUDE)
$(BUILD)/kernel/$(ARCH_DIR)/%.o: KERNEL_ASFLAGS += $(ARCH_INCLUDE)
KERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-undefined -Wl,-z,max-page-size=0x1000 \
    -Wl,--build-id=none -T $(ARCH_DIR)/linker.ld

# --- kernel sources: every .cpp/.S below these folders is part of the one kernel image -----
KERNEL_DIRS := $(ARCH_DIR) kernel drivers lab tests/kernel
# (lab/*/user/ holds a lab's user programs: those are built by user/user.mk, not into the kernel.)
KERNEL_SOURCES := $(shell find $(KERNEL_DIRS) \( -name '*.cpp' -o -name '*.S' \) \
    -not -path 'lab/grader/*' -not -path 'tests/unit/*' -not -path 'lab/*/tests/host/*' \
    -not -path 'lab/*/user/*' 2>/dev/null | LC_ALL=C sort)
KERNEL_OBJECTS := $(patsubst %,$(BUILD)/kernel/%.o,$(KERNEL_SOURCES))

KERNEL_ELF := $(BUILD)/kernel.elf
KERNEL_ISO := $(BUILD)/conduit.iso

.PHONY: all deps kernel iso run shell check grade unit-tests grader-tests symbols-check rules-check \
    qemu-gdb gdb bench-boot bench-uart bench-net bench-ata bench-block bench-user handout handout-check \
    grade-submissions autograder clean

all: deps $(KERNEL_ISO)

deps:
	@bash tools/deps.sh

kernel: $(KERNEL_ELF)
iso: $(KERNEL_ISO)

$(BUILD)/kernel/%.cpp.o: %.cpp Makefile
	@mkdir -p $(@D)
	@echo "  CXX     $<"
	@$(CXX) $(KERNEL_CXXFLAGS) -c $< -o $@

$(BUILD)/kernel/%.S.o: %.S Makefile
	@mkdir -p $(@D)
	@echo "  AS      $<"
	@$(CXX) $(KERNEL_ASFLAGS) -c $< -o $@

$(KERNEL_ELF): $(KERNEL_OBJECTS) $(ARCH_DIR)/linker.ld
	@echo "  LD      $@"
	@$(CXX) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJECTS) -lgcc
	@bash tools/check_symbols.sh $(KERNEL_OBJECTS)

include user/user.mk

# The ISO carries the kernel without DWARF (GRUB loads every non-allocated section, and the
# debug info would only slow boots); gdb reads the full build/kernel.elf. The user programs
# travel as the initial RAM disk (user/user.mk).
$(KERNEL_ISO): $(KERNEL_ELF) $(USER_INITRD) grub.cfg | deps
	@echo "  ISO     $@"
	@mkdir -p $(BUILD)/iso/boot/grub
	@objcopy --strip-debug $(KERNEL_ELF) $(BUILD)/iso/boot/kernel.elf
	@cp $(USER_INITRD) $(BUILD)/iso/boot/initrd.tar
	@cp grub.cfg $(BUILD)/iso/boot/grub/grub.cfg
	@grub-mkrescue -o $@ $(BUILD)/iso >$(BUILD)/grub-mkrescue.log 2>&1 \
	    || { cat $(BUILD)/grub-mkrescue.log; exit 1; }

-include $(KERNEL_OBJECTS:.o=.d)

# --- running -------------------------------------------------------------------------------
# The course's machine: q35 with a PIIX3 IDE controller (a small partitioned disk on its primary
# master: hda) and an e1000 on user-mode networking.
RUN_DISK   := $(BUILD)/run-disk.img
QEMU_DEVICES ?= -device piix3-ide,id=pide -drive if=none,id=disk0,file=$(RUN_DISK),format=raw \
    -device ide-hd,drive=disk0,bus=pide.0 -netdev user,id=net0 -device e1000,netdev=net0
QEMU_COMMON := -accel $(ACCEL) -machine $(MACHINE) -m $(MEMORY) -cdrom $(KERNEL_ISO) -boot d \
    -no-reboot -nic none $(QEMU_DEVICES) -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -debugcon file:$(BUILD)/debugcon.log
QEMU_CMDLINE_ARG = $(if $(strip $(CMDLINE)),-fw_cfg "name=opt/conduit/cmdline$(comma)string=$(subst $(comma),$(comma)$(comma),$(CMDLINE))")
comma := ,

# Serial console on this terminal. On a terminal `-serial mon:stdio`: Ctrl-A X quits, Ctrl-A C
# toggles the QEMU monitor. From a pipe plain `stdio`: bytes wait in QEMU until the UART has
# room, and a script can end the session with `poweroff`.
SERIAL_STDIO = $$( [ -t 0 ] && echo mon:stdio || echo stdio )

$(RUN_DISK): tools/make_run_disk.sh | deps
	@echo "  DISK    $@"
	@mkdir -p $(@D)
	@sh tools/make_run_disk.sh $@

# COM2=BACKEND gives the machine a second serial port (a QEMU chardev: null, tcp:...): lab 9's
# user-mode driver works on it.
COM2 ?=
SERIAL_COM2 = $(if $(strip $(COM2)),-serial $(COM2))

run: all $(RUN_DISK)
	@echo "Booting Conduit (Ctrl-A X quits QEMU; type 'help' at the conduit> prompt)"
	@$(QEMU) $(QEMU_COMMON) -display none -serial $(SERIAL_STDIO) $(SERIAL_COM2) $(QEMU_CMDLINE_ARG); \
	    rc=$$?; case $$rc in 33|39) ;; 37) echo "(kernel panic: QEMU exit status 37)"; exit 1;; \
	    *) echo "(QEMU exit status $$rc)";; esac

# The same machine, landing in the user shell on the serial console (UART in interrupt mode);
# `exit` or Ctrl-D returns to the monitor.
shell: CMDLINE += uart.mode=irq init=sh
shell: run

qemu-gdb: all $(RUN_DISK)
	@echo "QEMU waits for gdb on port $(GDBPORT): run 'make gdb' in another terminal"
	@$(QEMU) $(QEMU_COMMON) -display none -serial $(SERIAL_STDIO) -gdb tcp::$(GDBPORT) -S $(QEMU_CMDLINE_ARG)

gdb: $(KERNEL_ELF)
	@gdb -q -ex "file $(KERNEL_ELF)" -ex "target remote localhost:$(GDBPORT)" $(GDBARGS)

# --- testing and grading -------------------------------------------------------------------
-include tests/unit/unit.mk
# Builds run in parallel: what needs an installed package waits for tools/deps.sh.
$(UNIT_OBJECTS) $(UNIT_PCH): | deps

GRADE_ARGS := -j $(JOBS) --iso $(KERNEL_ISO) --accel $(ACCEL) $(if $(LAB),--lab $(LAB)) $(if $(TEST),--test $(TEST)) $(if $(SEED),--seed $(SEED))

# A lab that grades host unit tests (host_test = "[tag]" in its rubric) needs their binary too.
GRADE_HOST_TESTS := $(if $(shell grep -ls '^ *host_test' lab/*/rubric.toml tests/kernel/rubric.toml 2>/dev/null),unit-tests-build)

grade: all $(GRADE_HOST_TESTS)
	@$(PYTHON) lab/grader/grade.py $(GRADE_ARGS) --elf $(KERNEL_ELF) --out $(BUILD)/grade \
	    --host-tests $(BUILD)/host/unit_tests

grader-tests: all
	@$(PYTHON) -m unittest discover -s lab/grader/tests

symbols-check: $(KERNEL_ELF)

# The house rules (docs/style.md) that a tool can check: file:line and the rule's name.
rules-check:
	@$(PYTHON) tools/check_rules.py

check: all
	@BUILD=$(BUILD) $(PYTHON) tools/check.py --jobs $(JOBS)

bench-boot: all
	@$(PYTHON) tools/bench_boot.py --iso $(KERNEL_ISO) --elf $(KERNEL_ELF)

# The lecture's PIO-vs-interrupt table for the UART, measured (poll and irq, TX and RX).
bench-uart: all
	@$(PYTHON) tools/bench_uart.py --iso $(KERNEL_ISO)

# The network: ping RTT, UDP echo (serial and 16 in flight), interrupts per packet with and
# without NAPI, and the receive-livelock curve; with the ratios to Linux's e1000 in this QEMU.
bench-net: all
	@$(PYTHON) tools/bench_net.py --iso $(KERNEL_ISO)

# The lecture's PIO / interrupts / DMA table for the disk, measured against Linux's figures,
# with a chart (build/bench-ata.svg).
bench-ata: all
	@$(PYTHON) tools/bench_ata.py --iso $(KERNEL_ISO)

# The block layer: workloads x I/O schedulers x cache on/off on the ATA disk (DMA), with a chart.
bench-block: all
	@$(PYTHON) tools/bench_block.py --iso $(KERNEL_ISO) $(BENCH_ARGS)

# System calls, a one-byte TTY read, and an interrupt round trip in-kernel vs. user-mode driver.
bench-user: all
	@$(PYTHON) tools/bench_user.py --iso $(KERNEL_ISO)

# Batch grading: every submission in SUBMISSIONS (folders, .tar.gz, .zip, git bundles) built
# from pristine material in a sandbox and graded; see lab/grader/README.md "Batch grading".
grade-submissions: all
	@test -n "$(LAB)" -a -n "$(SUBMISSIONS)" || { echo "usage: make grade-submissions LAB=N SUBMISSIONS=dir [JOBS=J] [FORCE=1] [UNSAFE=1]"; exit 2; }
	@$(PYTHON) lab/grader/grade.py batch --lab $(LAB) --jobs $(JOBS) --out $(BUILD)/batch/lab$(LAB) \
	    --seed $(BUILD)/handouts/lab$(LAB)/build --seed $(BUILD) $(if $(FORCE),--force) $(if $(UNSAFE),--unsafe) \
	    $(SUBMISSIONS)

# The Gradescope autograder zip for one lab (build/autograder/labN-autograder.zip).
autograder: all
	@test -n "$(LAB)" || { echo "usage: make autograder LAB=N [UNSAFE=1]"; exit 2; }
	@$(PYTHON) tools/grade_autograder.py --lab $(LAB) --out $(BUILD)/autograder \
	    --seed $(BUILD)/handouts/lab$(LAB)/build --seed $(BUILD) $(if $(UNSAFE),--unsafe)

handout:
	@test -n "$(LAB)" -a -n "$(OUT)" || { echo "usage: make handout LAB=N OUT=dir"; exit 2; }
	@$(PYTHON) tools/handout.py --lab $(LAB) --out $(OUT) $(if $(FORCE),--force)

# The lab invariant on its own (make check runs it too).
handout-check: all
	@BUILD=$(BUILD) $(PYTHON) tools/handout_check.py --jobs $(JOBS)

clean:
	rm -rf $(BUILD)
