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

UNIT_CXXFLAGS := -std=c++20 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
    -fno-omit-frame-pointer -Wall -Wextra -Iinclude -DCONDUIT_HOST_TEST
UNIT_LDFLAGS := -fsanitize=address,undefined

# Portable kernel sources compiled into the tests. Append yours here, above the rules, e.g.
#   UNIT_KERNEL_SOURCES += kernel/mm/frame_allocator.cpp
# mem.cpp stays out: it defines memcpy & co., which the host takes from libc.
UNIT_KERNEL_SOURCES += $(filter-out kernel/lib/mem.cpp,$(wildcard kernel/lib/*.cpp))
UNIT_KERNEL_SOURCES += kernel/mm/frame_allocator.cpp kernel/mm/heap_core.cpp kernel/mm/memory_map.cpp

UNIT_TEST_SOURCES := $(wildcard tests/unit/*.cpp)
UNIT_SOURCES := $(UNIT_TEST_SOURCES) $(UNIT_KERNEL_SOURCES)
UNIT_OBJECTS := $(patsubst %.cpp,$(HOST_BUILD)/%.o,$(UNIT_SOURCES))
UNIT_BINARY := $(HOST_BUILD)/unit_tests
UNIT_REPORT := $(HOST_BUILD)/unit_tests.xml

# catch.hpp takes ~2 s to parse per file; a precompiled header, force-included into the test
# files, brings that to ~0.3 s. It must be built with exactly the flags that use it.
UNIT_PCH_HEADER := $(HOST_BUILD)/pch/catch_pch.h
UNIT_PCH := $(UNIT_PCH_HEADER).gch

.PHONY: unit-tests unit-tests-build

unit-tests: $(UNIT_BINARY)
	@rm -f $(UNIT_REPORT)
	@echo "  TEST    $(UNIT_BINARY)"
	@status=0; $(UNIT_BINARY) -r junit -o $(UNIT_REPORT) $(UNIT_ARGS) || status=$$?; \
	    $(PYTHON) tests/unit/junit_summary.py $(UNIT_REPORT) $$status

unit-tests-build: $(UNIT_BINARY)

$(UNIT_BINARY): $(UNIT_OBJECTS)
	@echo "  HOSTLD  $@"
	@$(HOST_CXX) $(UNIT_LDFLAGS) -o $@ $^

$(UNIT_PCH): tests/unit/unit.mk
	@mkdir -p $(@D)
	@echo "  HOSTPCH catch2/catch.hpp"
	@echo '#include <catch2/catch.hpp>' > $(UNIT_PCH_HEADER)
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -x c++-header $(UNIT_PCH_HEADER) -o $@

# main.cpp expands Catch's implementation (CATCH_CONFIG_MAIN), so it cannot use the PCH.
$(HOST_BUILD)/tests/unit/main.o: tests/unit/main.cpp tests/unit/unit.mk
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -MMD -MP -c $< -o $@

$(HOST_BUILD)/tests/unit/%.o: tests/unit/%.cpp $(UNIT_PCH) tests/unit/unit.mk
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -Winvalid-pch -include $(UNIT_PCH_HEADER) -MMD -MP -c $< -o $@

$(HOST_BUILD)/%.o: %.cpp tests/unit/unit.mk
	@mkdir -p $(@D)
	@echo "  HOSTCXX $<"
	@$(HOST_CXX) $(UNIT_CXXFLAGS) -MMD -MP -c $< -o $@

-include $(UNIT_OBJECTS:.o=.d)
