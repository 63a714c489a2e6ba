# User programs (user/): freestanding static C++ programs for ring 3, linked at 0x400000 with
# user/lib (start code, system-call wrappers, printf) and the kernel's portable kstd pieces
# (formatting, strings, errno names). Included by the top-level Makefile.
#
# A program is one file or one folder:
#   user/bin/NAME.cpp, user/drivers/NAME.cpp, user/tests/NAME.cpp, lab/*/user/NAME.cpp  ->  /bin/NAME
#   user/bin/NAME/*.cpp, user/drivers/NAME/*.cpp                                          ->  /bin/NAME
# An instructor-only program (NAME.instructor.cpp, NAME.instructor/) is built when present and
# called NAME. Every program goes into the initial RAM disk, $(USER_INITRD), which GRUB loads
# as the module "initrd" (grub.cfg).

USER_BUILD := $(BUILD)/user
USER_INITRD := $(USER_BUILD)/initrd.tar

USER_CXXFLAGS := -std=c++20 -ffreestanding -fno-exceptions -fno-rtti -fno-pie -fno-pic \
    -mgeneral-regs-only -fno-threadsafe-statics -fno-asynchronous-unwind-tables \
    -fno-stack-protector -fno-omit-frame-pointer -fno-use-cxa-atexit -O2 -g \
    -fno-optimize-sibling-calls -Wall -Wextra -Werror=return-type -Wno-missing-field-initializers \
    -Iuser/lib/include -Iinclude -MMD -MP -fdebug-prefix-map=$(CURDIR)=.
USER_ASFLAGS := -fno-pie -fno-pic -g -MMD -MP
USER_LDFLAGS := -nostdlib -static -no-pie -Wl,--no-undefined -Wl,-z,max-page-size=0x1000 \
    -Wl,--build-id=none -T user/lib/user.ld

USER_LIB_SOURCES := $(sort $(wildcard user/lib/*.cpp) $(wildcard user/lib/arch/x86_64/*.S)) \
    kernel/lib/format.cpp kernel/lib/string.cpp kernel/lib/errno.cpp arch/x86_64/lib/mem.cpp
user_object = $(USER_BUILD)/obj/$(1).o
USER_LIB_OBJECTS := $(foreach s,$(USER_LIB_SOURCES),$(call user_object,$(s)))

USER_PROGRAM_DIRS := user/bin user/drivers user/tests
USER_SINGLE_SOURCES := $(sort $(foreach d,$(USER_PROGRAM_DIRS),$(wildcard $(d)/*.cpp)) $(wildcard lab/*/user/*.cpp))
USER_FOLDERS := $(sort $(patsubst %/,%,$(foreach d,$(USER_PROGRAM_DIRS),$(dir $(wildcard $(d)/*/*.cpp)))))
user_name = $(subst .instructor,,$(basename $(notdir $(1))))

USER_PROGRAMS :=
# $(1): program name, $(2): its sources
define user_program
USER_PROGRAMS += $(1)
$(USER_BUILD)/bin/$(1).elf: $(foreach s,$(2),$(call user_object,$(s))) $(USER_LIB_OBJECTS) user/lib/user.ld
	@mkdir -p $$(@D)
	@echo "  LD      $$@"
	@$(CXX) $(USER_LDFLAGS) -o $$@ $(foreach s,$(2),$(call user_object,$(s))) $(USER_LIB_OBJECTS) -lgcc
endef
$(foreach s,$(USER_SINGLE_SOURCES),$(eval $(call user_program,$(call user_name,$(s)),$(s))))
$(foreach d,$(USER_FOLDERS),$(eval $(call user_program,$(call user_name,$(d)),$(sort $(wildcard $(d)/*.cpp)))))

USER_ELVES := $(patsubst %,$(USER_BUILD)/bin/%.elf,$(USER_PROGRAMS))

$(USER_BUILD)/obj/%.cpp.o: %.cpp Makefile user/user.mk
	@mkdir -p $(@D)
	@echo "  CXX     $< (user)"
	@$(CXX) $(USER_CXXFLAGS) -c $< -o $@

$(USER_BUILD)/obj/%.S.o: %.S Makefile user/user.mk
	@mkdir -p $(@D)
	@echo "  AS      $< (user)"
	@$(CXX) $(USER_ASFLAGS) -c $< -o $@

# The archive holds bin/NAME without DWARF (the symbol table stays: fault reports name
# functions from it). Fixed owner, mode and time, sorted: the same programs give the same bytes.
$(USER_INITRD): $(USER_ELVES)
	@echo "  TAR     $@ ($(words $(USER_PROGRAMS)) programs)"
	@rm -rf $(USER_BUILD)/root && mkdir -p $(USER_BUILD)/root/bin
	@for p in $(USER_PROGRAMS); do objcopy --strip-debug $(USER_BUILD)/bin/$$p.elf $(USER_BUILD)/root/bin/$$p; done
	@tar --format=ustar --owner=0 --group=0 --numeric-owner --mode=0755 --mtime=@0 --sort=name \
	    -cf $@ -C $(USER_BUILD)/root bin

.PHONY: user
user: $(USER_INITRD)

USER_PROGRAM_OBJECTS := $(foreach s,$(USER_SINGLE_SOURCES) $(wildcard $(addsuffix /*.cpp,$(USER_FOLDERS))),$(call user_object,$(s)))
-include $(USER_LIB_OBJECTS:.o=.d) $(USER_PROGRAM_OBJECTS:.o=.d)
