#pragma once
// t_uio's parts (see main.cpp for what each mode checks).
#include <conduit/sys.h>
#include <uapi/uio.h>

// Opens /dev/uio0 and reads its description; -1 with errno on failure.
int open_uio(uapi::UioInfo& info);
uapi::UioRegion const* find_region(uapi::UioInfo const& info, uapi::UioRegionKind kind, uapi::CacheType type);

int loopback(u64 count);          // serial.cpp
int ranges(char const* mode);     // ranges.cpp
