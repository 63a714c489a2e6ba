// The monitor's read-eval loop: a line editor (backspace, ^U, ^C) over the console and a
// dispatcher over the commands registered in the .monitor_commands section.
#include <kernel/console_input.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/proc/process.h>
#include <kstd/enforce.h>

extern "C" MonitorCommand const* const __monitor_commands_start[];
extern "C" MonitorCommand const* const __monitor_commands_end[];

namespace monitor {

namespace {

constexpr usize LINE_CAPACITY = 256;
constexpr char BACKSPACE = 0x08, DELETE = 0x7F, CTRL_C = 0x03, CTRL_U = 0x15;

void echo(char const* text, usize length) { kprint_raw(text, length); }

// Reads one line with simple editing. Returns its length (without the terminator).
usize read_line(char* line, usize capacity)
{
    usize length = 0;
    bool last_was_cr = false;
    for (;;) {
        char c = console_input::read_char();
        if (c == '\n' && last_was_cr) {   // CR LF from a terminal: one line, not two
            last_was_cr = false;
            continue;
        }
        last_was_cr = c == '\r';
        if (c == '\r' || c == '\n') {
            echo("\n", 1);
            line[length] = '\0';
            return length;
        }
        if (c == BACKSPACE || c == DELETE) {
            if (length > 0) {
                --length;
                echo("\b \b", 3);
            }
        } else if (c == CTRL_U || c == CTRL_C) {
            while (length > 0) {
                --length;
                echo("\b \b", 3);
            }
            if (c == CTRL_C)
                echo("^C\n", 3);
            if (c == CTRL_C)
                return 0;
        } else if (c >= ' ' && c < DELETE && length + 1 < capacity) {
            line[length++] = c;
            echo(&c, 1);
        }
    }
}

}

MonitorCommand const* find(kstd::StringView name)
{
    for (auto const* const* cmd = __monitor_commands_start; cmd != __monitor_commands_end; ++cmd) {
        if (name == kstd::StringView((*cmd)->name))
            return *cmd;
    }
    return nullptr;
}

bool execute(kstd::StringView line)
{
    line = line.trim();
    if (line.is_empty())
        return true;
    auto space = line.find(' ');
    kstd::StringView name = space.has_value() ? line.substring(0, *space) : line;
    kstd::StringView args = space.has_value() ? line.substring(*space + 1).trim() : kstd::StringView();
    auto const* command = find(name);
    if (!command) {
        kprint("unknown command '%.*s': type 'help' for the list of commands\n", int(name.length()),
               name.characters());
        return false;
    }
    command->run(args);
    return true;
}

void run()
{
    proc::run_init_program();
    kprint("Type 'help' for a list of commands.\n");
    char line[LINE_CAPACITY];
    for (;;) {
        kprint("conduit> ");
        usize length = read_line(line, sizeof(line));
        execute(kstd::StringView(line, length));
    }
}

}

MONITOR_COMMAND(help, "help", "list the monitor's commands")
{
    kprint("Commands:\n");
    for (auto const* const* cmd = __monitor_commands_start; cmd != __monitor_commands_end; ++cmd)
        kprint("  %-12s %s\n", (*cmd)->name, (*cmd)->help);
}
