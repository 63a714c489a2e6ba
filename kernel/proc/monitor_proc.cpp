// Monitor commands for processes: `run` (start a program on the console and wait for it),
// `sh` (the user shell), `ps` and `kill`; and the boot word `init=PROGRAM`, which the monitor
// runs before its first prompt, so that `make run` can land in the user shell and come back
// to the monitor when it exits.
#include <kernel/console_input.h>
#include <kernel/dev/devfs.h>
#include <kernel/kernel.h>
#include <kernel/monitor.h>
#include <kernel/printk.h>
#include <kernel/proc/process.h>
#include <uapi/process.h>
#include <kstd/format.h>
#include <kstd/string.h>
#include <kstd/enforce.h>

namespace proc {

namespace {

constexpr usize MAX_WORDS = 16;

// The console's TTY: the one the monitor reads (monitor=), else the first serial port's.
ErrorOr<OwnPtr<dev::File>> open_console()
{
    char const* name = console_input::requested_source();
    char path[24];
    kstd::snprintf(path, sizeof(path), "/dev/%s", name[0] ? name : "ttyS0");
    return devfs::open(StringView(path), dev::OpenFlags::ReadWrite);
}

void report(char const* name, Pid pid, int status)
{
    if (uapi::wait_signaled(status))
        kprint("%s (pid %d) was killed (signal %d)\n", name, pid, uapi::wait_signal(status));
    else if (uapi::wait_exit_code(status) != 0)
        kprint("%s (pid %d) exited with status %d\n", name, pid, uapi::wait_exit_code(status));
}

// Runs `line` ("PROGRAM ARG...") on the console and waits for it.
void run_on_console(StringView line)
{
    char text[256];
    kstd::copy_string(text, sizeof(text), line.trim());
    char const* argv[MAX_WORDS];
    usize argc = 0;
    for (char* p = text; *p && argc < MAX_WORDS;) {
        while (*p == ' ')
            *p++ = '\0';
        if (!*p)
            break;
        argv[argc++] = p;
        while (*p && *p != ' ')
            ++p;
    }
    if (argc == 0) {
        kprint("usage: run PROGRAM [ARGUMENT...]   (the programs: run ls /bin)\n");
        return;
    }
    auto console = open_console();
    if (console.is_error()) {
        kprint("run: cannot open the console's TTY: %s\n", console.error().name());
        return;
    }
    SpawnOptions options;
    options.argv = Span<char const* const>(argv, argc);
    options.files[0] = console.release_value();
    options.stdio[0] = options.stdio[1] = options.stdio[2] = 0;
    auto pid = spawn(StringView(argv[0]), kstd::move(options));
    if (pid.is_error()) {
        kprint("run %s: %s (%s)\n", argv[0], pid.error().name(), kstd::errno_text(pid.error().code()));
        return;
    }
    auto status = wait(pid.value(), dev::NO_TIMEOUT);
    if (!status.is_error())
        report(argv[0], pid.value(), status.value());
}

}

// `init=PROGRAM` on the command line: run it on the console before the first prompt.
void run_init_program()
{
    auto init = kernel_cmdline().get(StringView("init"));
    if (!init.has_value())
        return;
    kprint("Starting %.*s (the monitor comes back when it exits)\n", int(init->length()), init->characters());
    run_on_console(*init);
}

}

MONITOR_COMMAND(run, "run", "run a user program on the console and wait for it: run PROGRAM [ARGS]")
{
    proc::run_on_console(args);
}

MONITOR_COMMAND(sh, "sh", "start the user shell on the console (exit or Ctrl-D returns here)")
{
    proc::run_on_console(StringView("sh"));
}

MONITOR_COMMAND(ps, "ps", "list user processes")
{
    proc::ProcessInfo infos[proc::MAX_PROCESSES];
    usize count = proc::list(infos);
    kprint("  PID  PPID NAME             STATE   MEMORY  FILES PORTS MAPS\n");
    for (usize i = 0; i < count && i < proc::MAX_PROCESSES; ++i) {
        auto const& p = infos[i];
        kprint("%5d %5d %-16s %-7s %4lu KiB %5u %5u %4u\n", p.pid, p.parent, p.name, p.zombie ? "zombie" : p.asleep ? "asleep" : "running",
               p.memory_frames * 4, p.open_files, p.ports_granted, p.device_mappings);
    }
    if (count == 0)
        kprint("  (no processes)\n");
}

MONITOR_COMMAND(kill, "kill", "end a user process: kill PID")
{
    auto pid = kstd::parse_i64(args.trim());
    if (pid.is_error()) {
        kprint("usage: kill PID\n");
        return;
    }
    if (auto killed = proc::kill(proc::Pid(pid.value())); killed.is_error())
        kprint("kill %ld: %s\n", pid.value(), killed.error().name());
}
