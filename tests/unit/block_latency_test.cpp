// The latency histogram (kernel/block/latency.cpp): bucket arithmetic, mean, max and percentiles.
#include "support.h"
#include <kernel/block/latency.h>
#include <algorithm>
#include <random>
#include <vector>

using block::LatencyHistogram;

TEST_CASE("every value falls inside its bucket, and buckets tile the range", "[block][latency]")
{
    for (u64 value : { 0ull, 1ull, 15ull, 16ull, 17ull, 31ull, 32ull, 1000ull, 123456789ull, 1ull << 40, ~0ull }) {
        u32 bucket = LatencyHistogram::bucket_of(value);
        INFO("value " << value << " bucket " << bucket);
        CHECK(bucket < LatencyHistogram::BUCKETS);
        CHECK(LatencyHistogram::bucket_low(bucket) <= value);
        CHECK(value <= LatencyHistogram::bucket_high(bucket));
    }
    for (u32 bucket = 0; bucket + 1 < LatencyHistogram::BUCKETS; ++bucket)
        CHECK(LatencyHistogram::bucket_high(bucket) + 1 == LatencyHistogram::bucket_low(bucket + 1));
    // 16 buckets per octave: a bucket is at most 1/16 of its values wide.
    u32 bucket = LatencyHistogram::bucket_of(1'000'000);
    CHECK(LatencyHistogram::bucket_high(bucket) - LatencyHistogram::bucket_low(bucket) < 1'000'000 / 16);
}

TEST_CASE("mean and max are exact, percentiles within 1/16", "[block][latency]")
{
    LatencyHistogram histogram;
    CHECK(histogram.percentile_ns(990) == 0);
    std::mt19937_64 random(7);
    std::vector<u64> samples;
    u64 sum = 0;
    for (int i = 0; i < 10000; ++i) {
        u64 value = 1000 + random() % 5'000'000;
        samples.push_back(value);
        sum += value;
        histogram.record(value);
    }
    std::sort(samples.begin(), samples.end());
    CHECK(histogram.count() == 10000);
    CHECK(histogram.mean_ns() == sum / 10000);
    CHECK(histogram.max_ns() == samples.back());
    for (u32 per_mille : { 500u, 900u, 990u, 999u }) {
        u64 exact = samples[(samples.size() * per_mille + 999) / 1000 - 1];
        u64 reported = histogram.percentile_ns(per_mille);
        INFO("p" << per_mille / 10.0 << " exact " << exact << " reported " << reported);
        CHECK(reported <= exact + exact / 16);
        CHECK(reported + exact / 16 >= exact);
    }
    CHECK(histogram.percentile_ns(1000) <= histogram.max_ns());
}

TEST_CASE("p99 of 100 samples is the 99th, and merging adds samples", "[block][latency]")
{
    LatencyHistogram a, b;
    for (u64 i = 1; i <= 99; ++i)
        a.record(10);
    a.record(1'000'000);
    CHECK(a.percentile_ns(990) == 10);   // the 99th of 100 samples is still 10
    CHECK(a.percentile_ns(1000) > 900'000);   // the middle of the top bucket, at most the max
    b.record(20);
    a.merge(b);
    CHECK(a.count() == 101);
    CHECK(a.max_ns() == 1'000'000);
    a.reset();
    CHECK(a.count() == 0);
    CHECK(a.mean_ns() == 0);
}
