#pragma once

// Histogram of latencies in nanoseconds with log-linear buckets, in the
// manner of HdrHistogram: values below 128 have a bucket each; above, every
// power-of-two range [2^e, 2^(e+1)) is cut into 64 equal buckets, so a bucket
// spans at most 1/64 of its values and Percentile() answers within 0.8% of a
// recorded value. The whole int64 range fits in 3,712 fixed buckets (~29 KiB
// inline); Record() never allocates.
//
//   value:   0 1 ... 127 | 128 130 ... 254 | 256 260 ... 508 | ...
//   width:   1 1 ...  1  |  2   2  ...  2  |  4   4  ...  4  | ...
//
// Thread-safety: none; a histogram belongs to one thread.

#include <array>
#include <cstddef>
#include <cstdint>

namespace gale::metrics {

class Histogram {
 public:
  Histogram() = default;

  // Adds one sample. Negative values are recorded as 0.
  void Record(std::int64_t value_ns);

  // Number of samples.
  std::uint64_t Count() const { return count_; }

  // Exact mean of the samples (up to double rounding); 0 when empty.
  double Mean() const;

  // The value at or below which `p` percent of the samples lie (p clamped to
  // [0, 100]; 0 gives Min(), 100 gives Max()). Within 0.8% of a recorded
  // sample; 0 when empty.
  std::int64_t Percentile(double p) const;

  // Exact smallest and largest samples; 0 when empty.
  std::int64_t Min() const { return count_ == 0 ? 0 : min_; }
  std::int64_t Max() const { return count_ == 0 ? 0 : max_; }

  // Adds every sample of `other` to this histogram.
  void Merge(const Histogram& other);

  // Forgets every sample.
  void Reset();

  // Number of buckets; bucket indexes are below it.
  static constexpr std::size_t BucketCount() { return kBucketCount; }

  // Calls fn(index, count) for every non-empty bucket, in index order. With
  // AddToBucket it carries a histogram through text (metrics/snapshot.h).
  template <typename Fn>
  void ForEachBucket(Fn&& fn) const {
    for (std::size_t i = 0; i < kBucketCount; ++i) {
      if (counts_[i] != 0) fn(i, counts_[i]);
    }
  }

  // Adds `count` samples valued at the middle of bucket `index`; false (and
  // nothing added) when the index is out of range or the count would overflow.
  bool AddToBucket(std::size_t index, std::uint64_t count);
  // The value bucket `index` stands for (the middle of its range).
  static std::uint64_t BucketValue(std::size_t index) { return BucketMidpoint(index); }

 private:
  static constexpr int kSubBucketBits = 6;  // 64 buckets per power of two
  // Values are below 2^63; the bucket index of the largest is 56 * 64 + 127.
  static constexpr std::size_t kBucketCount = 58 << kSubBucketBits;

  static std::size_t BucketIndex(std::uint64_t value);
  // The value that stands for bucket `index`: the middle of its range.
  static std::uint64_t BucketMidpoint(std::size_t index);

  std::array<std::uint64_t, kBucketCount> counts_{};
  std::uint64_t count_ = 0;
  double sum_ = 0;
  std::int64_t min_ = 0;
  std::int64_t max_ = 0;
};

}  // namespace gale::metrics
