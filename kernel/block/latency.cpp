// Latency histogram (include/kernel/block/latency.h). Portable: also built into the host tests.
//
// Values below 2^SUB_BUCKET_BITS get a bucket each. Above, a value with its highest bit at
// position m lands in octave (m - SUB_BUCKET_BITS + 1), sub-bucket = the SUB_BUCKET_BITS bits
// below the highest: the same layout as HdrHistogram's, written out for one precision.
#include <kernel/block/latency.h>
#include <kstd/enforce.h>

namespace block {

namespace {

constexpr u64 SUB_BUCKETS = u64(1) << LatencyHistogram::SUB_BUCKET_BITS;

u32 highest_bit(u64 value) { return 63 - u32(__builtin_clzll(value)); }

}

u32 LatencyHistogram::bucket_of(u64 ns)
{
    if (ns < SUB_BUCKETS)
        return u32(ns);
    u32 top = highest_bit(ns);
    u32 octave = top - SUB_BUCKET_BITS + 1;
    u32 sub = u32((ns >> (top - SUB_BUCKET_BITS)) & (SUB_BUCKETS - 1));
    return octave * u32(SUB_BUCKETS) + sub;
}

u64 LatencyHistogram::bucket_low(u32 bucket)
{
    if (bucket < SUB_BUCKETS)
        return bucket;
    u32 octave = bucket / u32(SUB_BUCKETS);
    u64 sub = bucket % SUB_BUCKETS;
    u32 shift = octave - 1;
    return (SUB_BUCKETS + sub) << shift;
}

u64 LatencyHistogram::bucket_high(u32 bucket)
{
    if (bucket < SUB_BUCKETS)
        return bucket;
    u32 shift = bucket / u32(SUB_BUCKETS) - 1;
    return bucket_low(bucket) + ((u64(1) << shift) - 1);
}

void LatencyHistogram::record(u64 ns)
{
    ++m_buckets[bucket_of(ns)];
    ++m_count;
    m_sum_ns += ns;
    if (ns > m_max_ns)
        m_max_ns = ns;
}

void LatencyHistogram::reset()
{
    for (u32& bucket : m_buckets)
        bucket = 0;
    m_count = m_sum_ns = m_max_ns = 0;
}

void LatencyHistogram::merge(LatencyHistogram const& other)
{
    for (u32 i = 0; i < BUCKETS; ++i)
        m_buckets[i] += other.m_buckets[i];
    m_count += other.m_count;
    m_sum_ns += other.m_sum_ns;
    if (other.m_max_ns > m_max_ns)
        m_max_ns = other.m_max_ns;
}

u64 LatencyHistogram::percentile_ns(u32 per_mille) const
{
    if (m_count == 0)
        return 0;
    // The rank of the sample wanted, rounded up: p99 of 100 samples is the 99th.
    u64 rank = (m_count * per_mille + 999) / 1000;
    if (rank == 0)
        rank = 1;
    u64 seen = 0;
    for (u32 i = 0; i < BUCKETS; ++i) {
        seen += m_buckets[i];
        if (seen >= rank) {
            u64 middle = bucket_low(i) + (bucket_high(i) - bucket_low(i)) / 2;
            return middle < m_max_ns ? middle : m_max_ns;
        }
    }
    return m_max_ns;
}

}
