// The block class's completion on the host (include/kernel/dev/blockdev.h): what a block
// driver under test calls when a request is done. It checks the contract the kernel checks (a
// request completes once, and only after it was submitted; the kernel panics otherwise) and
// counts completions, so tests can say "no request completed twice".
#include <kstd/error.h>
#include "kernel_log.h"
#include <kernel/dev/blockdev.h>
#include <cstdio>

namespace models {

u64 g_block_completions = 0;

}

void blockdev::complete(BlockRequest& request, ErrorOr<void> status)
{
    if (request.core.state != BlockRequest::State::Submitted) {
        std::fprintf(stderr, "blockdev::complete: a request was completed twice, or without being submitted\n");
        VERIFY(false && "request completed twice");
    }
    request.core.status = status.is_error() ? status.error().code() : 0;
    request.core.state = BlockRequest::State::Complete;
    ++models::g_block_completions;
    if (request.on_complete)
        request.on_complete(request);
}
