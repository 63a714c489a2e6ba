// t_spawn: processes from a program's point of view: spawn and wait with exit codes, the
// parent's pid, inherited descriptors (sharing the file position), exec (same pid, new
// program; a failed exec returns), waiting for any child. Exits 0 when all checks pass
// (tests/kernel/user_syscall_tests.cpp). `t_spawn child MODE ...` is its own child.
#include "check.h"
#include <conduit/text.h>
#include <kstd/format.h>
#include <kstd/enforce.h>

namespace {

int spawn_child(char const* mode, char const* argument = nullptr)
{
    char const* argv[] = { "t_spawn", "child", mode, argument, nullptr };
    return spawn("/bin/t_spawn", argv);
}

int child_status(int pid)
{
    int status = -1;
    return wait(pid, &status) == pid ? status : -1;
}

// The child half: each mode checks one thing and says so through its exit code.
int child(char const* mode, char const* argument)
{
    u64 value = 0;
    if (strcmp(mode, "exit") == 0 && parse_size(argument, &value))
        return int(value);
    if (strcmp(mode, "ppid") == 0 && parse_size(argument, &value))
        return getppid() == int(value) ? 0 : 1;
    if (strcmp(mode, "inherited") == 0) {   // fd 5 is the parent's /dev/ram0, at offset 8192
        char text[8] = {};
        return lseek(5, 0, uapi::SEEK_CUR) == 8192 && read(5, text, 7) == 7 && strcmp(text, "spawned") == 0 ? 0 : 1;
    }
    if (strcmp(mode, "exec") == 0) {
        printf("before exec: pid %d\n", getpid());
        CHECK_ERRNO(exec("/bin/no-such-program", nullptr), ENOENT);   // a failed exec returns
        char const* argv[] = { "hello", "exec-worked", nullptr };
        exec("/bin/hello", argv);
        return 99;
    }
    return 100;
}

void check_exit_codes()
{
    CHECK(child_status(spawn_child("exit", "0")) == uapi::wait_status_exited(0));
    CHECK(child_status(spawn_child("exit", "42")) == uapi::wait_status_exited(42));
    CHECK(child_status(spawn_child("exit", "256")) == uapi::wait_status_exited(0));   // 8 bits, as in Unix
    char pid[16];
    kstd::snprintf(pid, sizeof(pid), "%d", getpid());
    CHECK(child_status(spawn_child("ppid", pid)) == uapi::wait_status_exited(0));
}

void check_inheritance()
{
    int disk = open("/dev/ram0", OPEN_READ_WRITE);
    CHECK(dup2(disk, 5) == 5);
    CHECK(lseek(5, 8192, uapi::SEEK_SET) == 8192);
    CHECK(write(5, "spawned", 7) == 7 && lseek(5, 8192, uapi::SEEK_SET) == 8192);
    CHECK(child_status(spawn_child("inherited")) == uapi::wait_status_exited(0));
    CHECK(lseek(5, 0, uapi::SEEK_CUR) == 8192 + 7);   // the child moved the shared position
    close(5);
    close(disk);
}

void check_exec_and_wait_any()
{
    int pid = spawn_child("exec");
    int status = child_status(pid);
    CHECK(status == uapi::wait_status_exited(0));      // hello's exit code, not 99
    int pids[3] = { spawn_child("exit", "1"), spawn_child("exit", "2"), spawn_child("exit", "3") };
    int seen = 0;
    for (int i = 0; i < 3; ++i) {
        int ended = wait(uapi::WAIT_ANY, &status);
        for (int j = 0; j < 3; ++j)
            seen += ended == pids[j] && uapi::wait_exit_code(status) == j + 1 ? 1 : 0;
    }
    CHECK(seen == 3);
    CHECK_ERRNO(wait(uapi::WAIT_ANY, &status), ECHILD);
    CHECK_ERRNO(spawn("/bin/no-such-program", nullptr), ENOENT);
}

}

int main(int argc, char** argv)
{
    if (argc >= 3 && strcmp(argv[1], "child") == 0)
        return child(argv[2], argc > 3 ? argv[3] : "");
    check_exit_codes();
    check_inheritance();
    check_exec_and_wait_any();
    return check::report("t_spawn");
}
