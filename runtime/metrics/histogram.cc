#include "metrics/histogram.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

namespace gale::metrics {

std::size_t Histogram::BucketIndex(std::uint64_t value) {
  constexpr std::uint64_t kLinearLimit = std::uint64_t{1} << kSubBucketBits;
  if (value < kLinearLimit) return static_cast<std::size_t>(value);
  // value = m * 2^shift with m in [64, 128): bucket `shift * 64 + m`.
  const int shift =
      static_cast<int>(std::bit_width(value)) - 1 - kSubBucketBits;
  return (static_cast<std::size_t>(shift) << kSubBucketBits) +
         static_cast<std::size_t>(value >> shift);
}

std::uint64_t Histogram::BucketMidpoint(std::size_t index) {
  constexpr std::size_t kSubBuckets = std::size_t{1} << kSubBucketBits;
  if (index < 2 * kSubBuckets) return index;
  const int shift = static_cast<int>(index >> kSubBucketBits) - 1;
  const std::uint64_t lower =
      static_cast<std::uint64_t>(kSubBuckets + (index & (kSubBuckets - 1)))
      << shift;
  const std::uint64_t width = std::uint64_t{1} << shift;
  return lower + (width - 1) / 2;
}

void Histogram::Record(std::int64_t value_ns) {
  const std::int64_t value = std::max<std::int64_t>(value_ns, 0);
  ++counts_[BucketIndex(static_cast<std::uint64_t>(value))];
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  ++count_;
  sum_ += static_cast<double>(value);
}

double Histogram::Mean() const {
  return count_ == 0 ? 0.0 : sum_ / static_cast<double>(count_);
}

std::int64_t Histogram::Percentile(double p) const {
  if (count_ == 0) return 0;
  if (!(p > 0)) return min_;  // also catches NaN
  if (p >= 100) return max_;
  // The rank-th smallest sample, rank = ceil(p% of count), at least 1.
  const auto rank = std::max<std::uint64_t>(
      1, static_cast<std::uint64_t>(
             std::ceil(p / 100.0 * static_cast<double>(count_))));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < kBucketCount; ++i) {
    seen += counts_[i];
    if (seen >= rank) {
      const auto value = static_cast<std::int64_t>(BucketMidpoint(i));
      return std::clamp(value, min_, max_);
    }
  }
  return max_;
}

void Histogram::Merge(const Histogram& other) {
  if (other.count_ == 0) return;
  for (std::size_t i = 0; i < kBucketCount; ++i) counts_[i] += other.counts_[i];
  min_ = count_ == 0 ? other.min_ : std::min(min_, other.min_);
  max_ = count_ == 0 ? other.max_ : std::max(max_, other.max_);
  count_ += other.count_;
  sum_ += other.sum_;
}

bool Histogram::AddToBucket(std::size_t index, std::uint64_t count) {
  if (index >= kBucketCount || count > std::numeric_limits<std::uint64_t>::max() - count_) return false;
  if (count == 0) return true;
  const auto value = static_cast<std::int64_t>(BucketMidpoint(index));
  counts_[index] += count;
  if (count_ == 0 || value < min_) min_ = value;
  if (count_ == 0 || value > max_) max_ = value;
  count_ += count;
  sum_ += static_cast<double>(value) * static_cast<double>(count);
  return true;
}

void Histogram::Reset() {
  counts_.fill(0);
  count_ = 0;
  sum_ = 0;
  min_ = 0;
  max_ = 0;
}

}  // namespace gale::metrics
