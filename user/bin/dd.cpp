// dd if=FILE of=FILE [bs=SIZE] [count=N] [skip=N] [seek=N]: copies blocks from one file to
// another and reports what it moved and how fast, as GNU dd does:
//
//   $ dd if=/dev/ram0 of=/dev/null bs=64k
//   64+0 records in
//   64+0 records out
//   4194304 bytes (4.0 MiB) copied, 0.031 s, 129.0 MiB/s
//
// A short read makes a partial record ("+1"). Sizes take k and M suffixes. if and of default to
// standard input and output; bs defaults to 512, at most 1M.
#include <conduit/io.h>
#include <conduit/sys.h>
#include <conduit/text.h>
#include <kstd/enforce.h>

namespace {

constexpr u64 MAX_BLOCK = 1024 * 1024;
alignas(4096) u8 g_buffer[MAX_BLOCK];

struct Options {
    char const* input { nullptr };
    char const* output { nullptr };
    u64 block { 512 };
    u64 count { ~u64(0) };
    u64 skip { 0 };
    u64 seek { 0 };
};

struct Tally {
    u64 full_in, partial_in, full_out, partial_out, bytes;
};

bool parse(int argc, char** argv, Options& options)
{
    for (int i = 1; i < argc; ++i) {
        StringView word(argv[i]);
        auto equals = word.find('=');
        if (!equals.has_value())
            return false;
        StringView key = word.substring(0, *equals);
        char const* value = argv[i] + *equals + 1;
        bool ok = true;
        if (key == StringView("if"))
            options.input = value;
        else if (key == StringView("of"))
            options.output = value;
        else if (key == StringView("bs"))
            ok = parse_size(value, &options.block) && options.block > 0 && options.block <= MAX_BLOCK;
        else if (key == StringView("count"))
            ok = parse_size(value, &options.count);
        else if (key == StringView("skip"))
            ok = parse_size(value, &options.skip);
        else if (key == StringView("seek"))
            ok = parse_size(value, &options.seek);
        else
            ok = false;
        if (!ok)
            return false;
    }
    return true;
}

int open_or(char const* path, u32 flags, int fallback)
{
    return path ? open(path, flags) : fallback;
}

// "4194304 bytes (4.0 MiB) copied, 0.031 s, 129.0 MiB/s", integer arithmetic only.
void report(Tally const& tally, u64 elapsed_ns)
{
    dprintf(STDERR, "%lu+%lu records in\n%lu+%lu records out\n", tally.full_in, tally.partial_in, tally.full_out,
            tally.partial_out);
    u64 tenths_mib = tally.bytes * 10 / (1024 * 1024);
    u64 ms = elapsed_ns / 1000000;
    u64 rate_tenths = elapsed_ns ? u64((unsigned __int128)tally.bytes * 10 * 1000000000 / elapsed_ns / (1024 * 1024)) : 0;
    dprintf(STDERR, "%lu bytes (%lu.%lu MiB) copied, %lu.%03lu s, %lu.%lu MiB/s\n", tally.bytes, tenths_mib / 10,
            tenths_mib % 10, ms / 1000, ms % 1000, rate_tenths / 10, rate_tenths % 10);
}

int copy(int in, int out, Options const& options, Tally& tally)
{
    for (u64 record = 0; record < options.count; ++record) {
        long got = read(in, g_buffer, options.block);
        if (got < 0)
            return fail(options.input ? options.input : "stdin");
        if (got == 0)
            break;
        (u64(got) == options.block ? tally.full_in : tally.partial_in)++;
        long put = write_all(out, g_buffer, usize(got));
        if (put < 0)
            return fail(options.output ? options.output : "stdout");
        (put == got && u64(put) == options.block ? tally.full_out : tally.partial_out)++;
        tally.bytes += u64(put);
        if (put < got)
            break;   // the output is full
    }
    return 0;
}

}

int main(int argc, char** argv)
{
    Options options;
    if (!parse(argc, argv, options)) {
        dprintf(STDERR, "usage: dd if=FILE of=FILE [bs=SIZE] [count=N] [skip=N] [seek=N]  (bs at most 1M)\n");
        return 2;
    }
    int in = open_or(options.input, OPEN_READ, STDIN);
    if (in < 0)
        return fail(options.input);
    int out = open_or(options.output, OPEN_WRITE, STDOUT);
    if (out < 0)
        return fail(options.output);
    if (options.skip && lseek(in, long(options.skip * options.block), uapi::SEEK_SET) < 0)
        return fail("skip");
    if (options.seek && lseek(out, long(options.seek * options.block), uapi::SEEK_SET) < 0)
        return fail("seek");
    Tally tally {};
    u64 start = clock_ns();
    int status = copy(in, out, options, tally);
    report(tally, clock_ns() - start);
    return status;
}
