#pragma once
// A latency histogram: how long requests took, from submit to completion, with the mean, the
// maximum and percentiles such as p99, in fixed memory (docs/block-devices.md, "Counters").
//
// Buckets are logarithmic: 16 per power of two, so a percentile is reported within about 3 %
// (the middle of its bucket), from 1 ns to beyond an hour. The mean and the maximum are exact.
// Portable (host-tested). Context: any. Locking: the owner's (the request queue's lock).
#include <kstd/types.h>

namespace block {

class LatencyHistogram {
public:
    void record(u64 ns);
    void reset();
    // Adds `other`'s samples to this one (for a combined read+write figure).
    void merge(LatencyHistogram const& other);

    u64 count() const { return m_count; }
    u64 mean_ns() const { return m_count ? m_sum_ns / m_count : 0; }
    u64 max_ns() const { return m_max_ns; }
    // The latency that `per_mille` thousandths of the samples did not exceed (990: p99), to
    // within its bucket; 0 when there are no samples.
    u64 percentile_ns(u32 per_mille) const;

    // Bucket arithmetic, public for the tests.
    static constexpr u32 SUB_BUCKET_BITS = 4;   // 16 buckets per power of two
    static constexpr u32 BUCKETS = (64 - SUB_BUCKET_BITS + 1) << SUB_BUCKET_BITS;
    static u32 bucket_of(u64 ns);
    static u64 bucket_low(u32 bucket);    // smallest value in the bucket
    static u64 bucket_high(u32 bucket);   // largest value in the bucket

private:
    u32 m_buckets[BUCKETS] {};
    u64 m_count { 0 };
    u64 m_sum_ns { 0 };
    u64 m_max_ns { 0 };
};

}
