// Disk plans for tests (include/kernel/test_disk.h): parsing the grader's plan, running it
// through the block class, and reporting what was read and written.
#include <arch/platform.h>
#include <kernel/block/partition.h>
#include <kernel/mm/heap.h>
#include <kernel/printk.h>
#include <kernel/test.h>
#include <kernel/test_disk.h>
#include <kernel/time/clock.h>
#include <kstd/string.h>
#include <kstd/utility.h>
#include <kstd/enforce.h>

namespace test_disk {

namespace {

constexpr usize PLAN_CAPACITY = 4096;
constexpr u32 SECTOR = 512;

ErrorOr<u64> number(Optional<StringView> word)
{
    if (!word.has_value())
        return Error::from_errno(EINVAL);
    return kstd::parse_u64(*word);
}

ErrorOr<void> parse_line(Plan& plan, StringView line)
{
    auto keyword = line.next_word();
    if (!keyword.has_value() || keyword->starts_with('#'))
        return {};
    if (*keyword == StringView("device")) {
        auto name = line.next_word();
        if (!name.has_value())
            return Error::from_errno(EINVAL);
        kstd::copy_string(plan.device, sizeof(plan.device), *name);
        return {};
    }
    if (*keyword == StringView("capacity")) {
        plan.capacity = TRY(number(line.next_word()));
        return {};
    }
    if (*keyword == StringView("chunk")) {
        plan.chunk = u32(TRY(number(line.next_word())));
        return plan.chunk ? ErrorOr<void> {} : Error::from_errno(EINVAL);
    }
    bool write = *keyword == StringView("write");
    if (!write && !(*keyword == StringView("read")))
        return Error::from_errno(EINVAL);
    if (plan.count == Plan::MAX_STEPS)
        return Error::from_errno(E2BIG);
    Step& step = plan.steps[plan.count];
    step = Step { write ? StepKind::Write : StepKind::Read, TRY(number(line.next_word())),
        u32(TRY(number(line.next_word()))), 0, false };
    if (write)
        step.seed = u32(TRY(number(line.next_word())));
    if (auto flag = line.next_word(); flag.has_value())
        step.expect_eio = *flag == StringView("eio");
    if (step.sectors == 0)
        return Error::from_errno(EINVAL);
    ++plan.count;
    return {};
}

// One step, `chunk` sectors at a time. Returns the first error.
ErrorOr<void> run_step(dev::BlockDevice& device, Plan const& plan, Step const& step, u8* buffer, u32& crc)
{
    PythonRandom generator(step.seed);
    crc = 0;
    for (u32 done = 0; done < step.sectors;) {
        u32 count = kstd::min(plan.chunk, step.sectors - done);
        Bytes chunk(buffer, usize(count) * SECTOR);
        if (step.kind == StepKind::Write) {
            generator.fill(chunk.data(), chunk.size());
            TRY(blockdev::write_sync(device, step.lba + done, chunk));
        } else {
            TRY(blockdev::read_sync(device, step.lba + done, chunk));
            crc = block::crc32(chunk, crc);
        }
        done += count;
    }
    return {};
}


}

ErrorOr<Plan> load_plan()
{
    auto* text = static_cast<u8*>(mm::kmalloc(PLAN_CAPACITY));
    if (!text)
        return Error::from_errno(ENOMEM);
    auto size = arch::fw_cfg_read_file("opt/conduit/disk-plan", text, PLAN_CAPACITY);
    if (size.is_error()) {
        mm::kfree(text);
        return size.error().code() == ENODEV ? Error::from_errno(ENOENT) : size.release_error();
    }
    Plan plan {};
    kstd::copy_string(plan.device, sizeof(plan.device), StringView("hda"));
    plan.chunk = 2048;
    StringView rest(reinterpret_cast<char const*>(text), size.value());
    ErrorOr<void> parsed {};
    while (auto line = rest.split_next('\n')) {
        parsed = parse_line(plan, *line);
        if (parsed.is_error()) {
            log_error("disk plan: bad line \"%.*s\": %s\n", int(line->length()), line->characters(), parsed.error().name());
            break;
        }
    }
    mm::kfree(text);
    TRY(parsed);
    return plan;
}

ErrorOr<RunStats> run_plan(Plan const& plan)
{
    auto device = TRY(blockdev::find(StringView(plan.device)));
    auto* buffer = static_cast<u8*>(mm::kmalloc(usize(plan.chunk) * SECTOR, 4096));
    if (!buffer)
        return Error::from_errno(ENOMEM);
    RunStats stats {};
    u64 start = time::now_ns();
    ErrorOr<void> outcome {};
    for (usize i = 0; i < plan.count && !outcome.is_error(); ++i) {
        Step const& step = plan.steps[i];
        u32 crc = 0;
        auto result = run_step(*device, plan, step, buffer, crc);
        report(step, result, crc);
        bool eio = result.is_error() && result.error().code() == EIO;
        if (step.expect_eio != eio) {
            log_error("disk plan: %s of %u sectors at %lu: %s, expected %s\n",
                      step.kind == StepKind::Write ? "write" : "read", step.sectors, step.lba,
                      result.is_error() ? result.error().name() : "success", step.expect_eio ? "EIO" : "success");
            outcome = result.is_error() ? result.release_error() : Error::from_errno(EIO);
        }
        if (!result.is_error())
            (step.kind == StepKind::Write ? stats.bytes_written : stats.bytes_read) += u64(step.sectors) * SECTOR;
    }
    stats.elapsed_ns = time::now_ns() - start;
    mm::kfree(buffer);
    TRY(outcome);
    return stats;
}

ErrorOr<RunStats> run_plan_test(ErrorOr<void> (*check)(Plan const& plan))
{
    auto plan = load_plan();
    if (plan.is_error())
        return ktest::fail(__FILE__, __LINE__, "no disk plan from the grader (%s): run this test with make grade",
                           plan.error().name());
    TRY(check(plan.value()));
    trace_mark("disk-begin");
    auto stats = run_plan(plan.value());
    trace_mark("disk-end");
    if (stats.is_error())
        return ktest::fail(__FILE__, __LINE__, "the disk plan stopped: %s (see the log above)", stats.error().name());
    u64 ms = stats.value().elapsed_ns / 1'000'000 + 1;
    ktest::note("disk plan: %lu KiB read, %lu KiB written in %lu ms", stats.value().bytes_read / 1024,
                stats.value().bytes_written / 1024, ms);
    return stats;
}

void report(Step const& step, ErrorOr<void> const& result, u32 crc)
{
    char const* op = step.kind == StepKind::Write ? "write" : "read";
    if (result.is_error())
        diag_print("@@CONDUIT disk-error op=%s lba=%lu sectors=%u errno=%s nonce=%s\n", op, step.lba, step.sectors,
                   result.error().name(), ktest::nonce());
    else if (step.kind == StepKind::Read)
        diag_print("@@CONDUIT disk-read lba=%lu sectors=%u crc32=0x%08x nonce=%s\n", step.lba, step.sectors, crc,
                   ktest::nonce());
    else
        diag_print("@@CONDUIT disk-write lba=%lu sectors=%u nonce=%s\n", step.lba, step.sectors, ktest::nonce());
}

void trace_mark(char const* text)
{
    arch::early_serial_write(text, strlen(text));
    arch::early_serial_write("\n", 1);
}

}
