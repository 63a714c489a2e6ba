#pragma once
// Kernel-wide singletons set up during boot.
#include <kernel/cmdline.h>

// The merged command line: GRUB's words, extended/overridden by fw_cfg opt/conduit/cmdline.
CommandLine const& kernel_cmdline();

