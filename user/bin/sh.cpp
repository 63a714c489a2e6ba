// sh: the user shell. It reads a line from standard input (the TTY's line discipline does the
// editing: backspace, ^U, ^W; ^D on an empty line ends the shell), splits it into words, and
// runs /bin/WORD with those arguments, waiting for it to end:
//
//   $ ls /dev
//   $ dd if=/dev/ram0 of=/dev/null bs=64k
//   $ cat < /dev/zero > /dev/null       (< and > redirect standard input and output)
//
// Built in: exit [CODE], help, status (how the last command ended). A program that fails or is
// killed gets one line saying how.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/enforce.h>

namespace {

constexpr usize LINE = 256;
constexpr usize MAX_WORDS = 32;

int g_last_status = 0;

struct Command {
    char* argv[MAX_WORDS + 1];
    usize argc { 0 };
    char const* input { nullptr };    // < FILE
    char const* output { nullptr };   // > FILE
};

bool parse(char* line, Command& command)
{
    char* words[MAX_WORDS];
    usize count = split_words(line, words, MAX_WORDS);
    for (usize i = 0; i < count; ++i) {
        bool redirect_in = strcmp(words[i], "<") == 0, redirect_out = strcmp(words[i], ">") == 0;
        if (redirect_in || redirect_out) {
            if (i + 1 == count) {
                dprintf(STDERR, "sh: %s needs a file name\n", words[i]);
                return false;
            }
            (redirect_in ? command.input : command.output) = words[++i];
            continue;
        }
        command.argv[command.argc++] = words[i];
    }
    command.argv[command.argc] = nullptr;
    return true;
}

void describe_end(char const* name, int pid, int status)
{
    if (uapi::wait_signaled(status))
        dprintf(STDERR, "sh: %s (pid %d) was killed (signal %d)\n", name, pid, uapi::wait_signal(status));
    else if (uapi::wait_exit_code(status))
        dprintf(STDERR, "sh: %s exited with status %d\n", name, uapi::wait_exit_code(status));
}

// Moves `path` onto descriptor `fd`, saving what was there in *saved.
bool redirect(char const* path, u32 flags, int fd, int* saved)
{
    int opened = open(path, flags);
    if (opened < 0) {
        fail(path);
        return false;
    }
    *saved = dup(fd);
    dup2(opened, fd);
    close(opened);
    return true;
}

void restore(int fd, int saved)
{
    if (saved >= 0) {
        dup2(saved, fd);
        close(saved);
    }
}

void run(Command& command)
{
    int saved_in = -1, saved_out = -1;
    bool ok = (!command.input || redirect(command.input, OPEN_READ, STDIN, &saved_in))
        && (!command.output || redirect(command.output, OPEN_WRITE, STDOUT, &saved_out));
    if (ok) {
        int pid = spawn(command.argv[0], command.argv);
        if (pid < 0) {
            fail(command.argv[0]);
            g_last_status = uapi::wait_status_exited(127);
        } else if (wait(pid, &g_last_status) == pid) {
            describe_end(command.argv[0], pid, g_last_status);
        }
    }
    restore(STDIN, saved_in);
    restore(STDOUT, saved_out);
}

bool builtin(Command const& command, bool* quit)
{
    char const* name = command.argv[0];
    if (strcmp(name, "exit") == 0) {
        u64 code = 0;
        if (command.argc > 1)
            parse_size(command.argv[1], &code);
        g_last_status = uapi::wait_status_exited(int(code));
        *quit = true;
        return true;
    }
    if (strcmp(name, "help") == 0) {
        printf("Run a program from /bin: NAME [ARGUMENT...] [< FILE] [> FILE]. `ls /bin` lists them.\n"
               "Built in: exit [CODE], help, status. ^D on an empty line leaves the shell.\n");
        return true;
    }
    if (strcmp(name, "status") == 0) {
        if (uapi::wait_signaled(g_last_status))
            printf("killed (signal %d)\n", uapi::wait_signal(g_last_status));
        else
            printf("%d\n", uapi::wait_exit_code(g_last_status));
        return true;
    }
    return false;
}

}

int main()
{
    char line[LINE];
    bool quit = false;
    while (!quit) {
        printf("$ ");
        bool at_end = false;
        if (read_line(STDIN, line, sizeof(line), &at_end) < 0)
            return fail("sh: read");
        if (at_end) {
            printf("\n");
            break;
        }
        Command command;
        if (!parse(line, command) || command.argc == 0)
            continue;
        if (!builtin(command, &quit))
            run(command);
    }
    return uapi::wait_exit_code(g_last_status);
}
