#pragma once
// The kernel monitor: a small command interpreter on the console (prompt `conduit>`).
// Subsystems add commands with MONITOR_COMMAND, which places a descriptor in a linker section,
// so no central list needs editing:
//
//     MONITOR_COMMAND(irqs, "irqs", "show per-line interrupt counts") { ... use args ... }
#include <kstd/string.h>

struct MonitorCommand {
    char const* name;
    char const* help;
    void (*run)(kstd::StringView args);
};

#define MONITOR_COMMAND(ident, command_name, help_text)                                    \
    static void monitor_cmd_##ident(kstd::StringView args);                                \
    static constinit MonitorCommand const monitor_desc_##ident { command_name, help_text,   \
        monitor_cmd_##ident };                                                             \
    [[gnu::used, gnu::section(".monitor_commands")]] static constinit MonitorCommand const* \
        const monitor_ptr_##ident = &monitor_desc_##ident;                                 \
    static void monitor_cmd_##ident([[maybe_unused]] kstd::StringView args)

namespace monitor {

// Reads and runs commands forever. Context: thread.
[[noreturn]] void run();

// Runs one command line (also used by tests). Returns false for an unknown command.
bool execute(kstd::StringView line);

MonitorCommand const* find(kstd::StringView name);

}
