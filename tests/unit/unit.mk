# Host unit tests: Catch2 v2 (Debian's catch2 package) over portable kernel code, built for the
# host with AddressSanitizer and UBSan. Included by the top-level Makefile; also works alone:
#
#   make unit-tests                          build and run every test
#   make unit-tests UNIT_ARGS='[format]'     pass a Catch2 test spec / options through
#   make -f tests/unit/unit.mk unit-tests    without the top-level Makefile
#
# The run writes JUnit XML to $(UNIT_REPORT), prints a summary (and each failure) from it, and
# fails make if any test fails or the binary crashes.

BUILD ?= build
PYTHON ?= python3
HOST_CXX ?= g++
HOST_BUILD := $(BUILD)/host

# -O0: ASan+UBSan objects compile about a third faster than at -O1 (the unit stage of make
# check is mostly compiling); the tests themselves run in seconds either way.
UNIT_CXXFLAGS := -std=c++20 -g -O0 -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Wall -Wextra -Iinclude -DCONDUIT_HOST_TEST
UNIT_LDFLAGS := -fsanitize=address,undefined

# Portable kernel sources compiled into the tests. Append yours here, above the rules, e.g.
#   UNIT_KERNEL_SOURCES += kernel/mm/frame_allocator.cpp
UNIT_KERNEL_SOURCES += $(wildcard kernel/lib/*.cpp)
UNIT_KERNEL_SOURCES += kernel/mm/frame_allocator.cpp kernel/mm/heap_core.cpp kernel/mm/memory_map.cpp
UNIT_KERNEL_SOURCES += kernel/acpi/madt.cpp kernel/acpi/tables.cpp
UNIT_KERNEL_SOURCES += kernel/sched/run_queue.cpp kernel/sched/sleep_queue.cpp kernel/sched/wait_list.cpp
UNIT_KERNEL_SOURCES += kernel/io/range_set.cpp kernel/io/dma_plan.cpp
UNIT_KERNEL_SOURCES += kernel/bus/pci_decode.cpp
UNIT_KERNEL_SOURCES += kernel/dev/numbers.cpp kernel/dev/ops_defaults.cpp kernel/dev/block_check.cpp
UNIT_KERNEL_SOURCES += kernel/tty/ldisc.cpp drivers/char/vgacon/terminal.cpp
UNIT_KERNEL_SOURCES += kernel/block/scheduler_queue.cpp kernel/block/fifo.cpp kernel/block/elevator.cpp \
    kernel/block/deadline.cpp kernel/block/merge.cpp kernel/block/latency.cpp \
    kernel/block/cache_core.cpp kernel/block/cache_policy.cpp
# Purpose-made wrong variants for the grader's self-tests (absent from handouts).
UNIT_KERNEL_SOURCES += $(wildcard kernel/block/wrong_*.instructor.cpp)
# The DMA API runs unchanged over the device models' physical memory (tests/unit/models).
UNIT_KERNEL_SOURCES += kernel/io/dma_map.cpp kernel/io/dma_registry.cpp kernel/io/dma_coherent.cpp
UNIT_KERNEL_SOURCES += kernel/dev/device.cpp
# The ATA driver's register-level files and the partition parsers, against the PIIX IDE model.
# The instructor's wrong drivers are compiled when present (handouts leave them out).
UNIT_KERNEL_SOURCES += $(addprefix drivers/block/ata/,taskfile.cpp identify.cpp pio.cpp irq.cpp dma.cpp \
    channel.cpp reset.cpp) $(wildcard drivers/block/ata/*.instructor.cpp)
UNIT_KERNEL_SOURCES += $(wildcard kernel/block/partition*.cpp) kernel/test/python_random.cpp
# The 16550's register level (drivers/char/uart16550/uart.h), ready for a 16550 model (issue 9).
UNIT_KERNEL_SOURCES += drivers/char/uart16550/init.cpp drivers/char/uart16550/poll_io.cpp
UNIT_KERNEL_SOURCES += drivers/char/uart16550/interrupts.cpp
# Labs 1-3 on the host (issue 9): the PIC's EOI and the IRQ core's dispatch run against the 8259
# model, the keyboard's halves against the i8042 model (tests/unit/labs, lab/NN-*/tests/host).
UNIT_KERNEL_SOURCES += arch/x86_64/irqchip/pic.cpp kernel/irq/irq_core.cpp
UNIT_KERNEL_SOURCES += drivers/char/ps2kbd/keyboard.cpp drivers/char/ps2kbd/top_half.cpp \
    drivers/char/ps2kbd/bottom_half.cpp drivers/char/ps2kbd/keymap.cpp drivers/char/ps2kbd/leds.cpp
# The e1000's register-level code (drivers/net/e1000/nic.h) against the e1000 model; the wrong
# drivers of the grader's self-tests where the tree has them (never in a handout). The stack's
# portable parts: checksums, wire formats, DHCP messages, addresses.
UNIT_KERNEL_SOURCES += $(addprefix drivers/net/e1000/,tx.cpp rx.cpp ring_ops.cpp interrupts.cpp napi_poll.cpp)
UNIT_KERNEL_SOURCES += $(wildcard drivers/net/e1000/*.instructor.cpp)
UNIT_KERNEL_SOURCES += $(addprefix kernel/net/,address.cpp checksum.cpp wire.cpp dhcp_message.cpp)
# User space: the initrd archive, program headers, port-I/O instruction decoding.
UNIT_KERNEL_SOURCES += kernel/proc/tar_archive.cpp kernel/proc/elf_image.cpp arch/x86_64/io_instruction.cpp

UNIT_TEST_SOURCES := $(wildcard tests/unit/*.cpp) $(wildcard tests/unit/models/*.cpp)
# tests/unit/labs: the labs' rigs and checks, and (*.instructor.cpp, absent from handouts) the
# purpose-made wrong drivers of the grader's self-tests.
UNIT_TEST_SOURCES += $(wildcard tests/unit/labs/*.cpp)
# Labs' host tests (lab/NN-topic/tests/host/): tagged hidden ([.labN]), so a plain run skips
# them on a handout where that lab is not done yet; `UNIT_ARGS='[labN]'` and the grader run them.
UNIT_TEST_SOURCES += $(wildcard lab/*/tests/host/*.cpp)
UNIT_SOURCES := $(UNIT_TEST_SOURCES) $(UNIT_KERNEL_SOURCES)
UNIT_OBJECTS := $(patsubst %.cpp,$(HOST_BUILD)/%.o,$(UNIT_SOURCES))
UNIT_BINARY := $(HOST_BUILD)/unit_tests
UNIT_REPORT := $(HOST_BUILD)/unit_tests.xml

# catch.hpp takes ~2 s to parse per file; a precompiled header, force-included into the test
# files, brings that to ~0.3 s. It must be built with exactly the flags that use it. It is
# written under a temporary name and renamed, so a compiler reading the old one (another make
# in the same tree) never sees a half-written file.
UNIT_PCH_HEADER := $(HOST_BUILD)/pch/catch_pch.h
UNIT_PCH := $(UNIT_PCH_HEADER).gch

# Objects depend on this stamp, not on unit.mk, so appending a source above rebuilds only that
# source; the stamp is rewritten (and everything rebuilt) only when the compiler or flags change.
UNIT_FLAGS_STAMP := $(HOST_BUILD)/unit_flags.txt
UNIT_FLAGS_LINE := $(HOST_CXX) $(UNIT_CXXFLAGS) $(UNIT_LDFLAGS)

.PHONY: unit-tests unit-tests-build unit-flags-check

unit-tests: $(UNIT_BINARY)
	@rm -f $(UNIT_REPORT)
	@echo "  TEST    $(UNIT_BINARY)"
	@status=0; $(UNIT_BINARY) -r junit -o $(UNIT_REPORT) $(UNIT_ARGS) || status=$$?; \
	    $(PYTHON) tests/unit/junit_summary.py $(UNIT_REPORT) $$status

unit-tests-build: $(UNIT_BINARY)

$(UNIT_BINARY): $(UNIT_OBJECTS) $(UNIT_FLAGS_STAMP)
	@echo "  HOSTLD  $@"
	@$(HOST_CXX) $(UNIT_LDFLAGS) -o $@ $(UNIT_OBJECTS)

# Its recipe runs every time (the phony prerequisite) but only writes when the line differs;
# make compares the stamp's actual time afterwards.
$(UNIT_FLAGS_STAMP): unit-flags-check
	@mkdir -p $(@D)
	@echo '$(UNIT_FLAGS_LINE)' | cmp -s - $@ || echo '$(UNIT_FLAGS_LINE)' > $@

$(UNIT_PCH): $(UNIT_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTPCH catch2/catch.hpp"
	@echo '#include <catch2/catch.hpp>' > $(UNIT_PCH_HEADER).tmp && mv -f $(UNIT_PCH_HEADER).tmp $(UNIT_PCH_HEADER)
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -x c++-header $(UNIT_PCH_HEADER) -o $@.tmp && mv -f $@.tmp $@

# main.cpp expands Catch's implementation (CATCH_CONFIG_MAIN), so it cannot use the PCH. It is
# the test framework, not code under test: compiled without sanitizers and optimisation it takes
# ~12 s instead of ~2.5 min (ASan+UBSan at -O1), and the sanitizer runtime still links in.
$(HOST_BUILD)/tests/unit/main.o: tests/unit/main.cpp tests/unit/unit.mk
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) -std=c++20 -O0 -g0 -Iinclude -DCONDUIT_HOST_TEST -MMD -MP -c $< -o $@

# The models' definitions of kernel functions in `namespace time` cannot see the C library
# (its time() collides), so they are compiled without the Catch header.
$(HOST_BUILD)/tests/unit/models/kernel_%.o: tests/unit/models/kernel_%.cpp $(UNIT_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -MMD -MP -c $< -o $@

$(HOST_BUILD)/tests/unit/%.o: tests/unit/%.cpp $(UNIT_PCH) $(UNIT_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -Winvalid-pch -include $(UNIT_PCH_HEADER) -MMD -MP -c $< -o $@

# Lab host tests include the labs' host rigs as <labs/...> (tests/unit/labs): a lab's tests include
# only include/ and angle-bracket paths (tools/check_rules.py).
$(HOST_BUILD)/lab/%.o: lab/%.cpp $(UNIT_PCH) $(UNIT_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -Itests/unit -Winvalid-pch -include $(UNIT_PCH_HEADER) -MMD -MP -c $< -o $@

$(HOST_BUILD)/%.o: %.cpp $(UNIT_FLAGS_STAMP)
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -MMD -MP -c $< -o $@

-include $(UNIT_OBJECTS:.o=.d)
