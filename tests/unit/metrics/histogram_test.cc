#include "metrics/histogram.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <memory>
#include <random>
#include <vector>

namespace gale::metrics {
namespace {

constexpr double kPercentiles[] = {0,  0.1, 1,  5,    10,   25,    50, 75,
                                   90, 95,  99, 99.5, 99.9, 99.99, 100};

// The rank-th smallest sample with rank = ceil(p% of n), as Percentile()
// defines it.
std::int64_t ExactPercentile(const std::vector<std::int64_t>& sorted,
                             double p) {
  if (p <= 0) return sorted.front();
  const auto rank = static_cast<std::size_t>(
      std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
  return sorted[std::max<std::size_t>(rank, 1) - 1];
}

// Checks every percentile of `samples` against `histogram` within 1%.
void ExpectPercentilesClose(const Histogram& histogram,
                            std::vector<std::int64_t> samples) {
  std::sort(samples.begin(), samples.end());
  for (const double p : kPercentiles) {
    const std::int64_t want = ExactPercentile(samples, p);
    const std::int64_t got = histogram.Percentile(p);
    EXPECT_NEAR(static_cast<double>(got), static_cast<double>(want),
                0.01 * static_cast<double>(want))
        << "p" << p;
  }
}

// Histograms are ~29 KiB; keep them off the test's stack.
std::unique_ptr<Histogram> NewHistogram() {
  return std::make_unique<Histogram>();
}

TEST(HistogramTest, EmptyHistogramReturnsZero) {
  const auto histogram = NewHistogram();
  EXPECT_EQ(histogram->Count(), 0u);
  EXPECT_EQ(histogram->Mean(), 0.0);
  EXPECT_EQ(histogram->Min(), 0);
  EXPECT_EQ(histogram->Max(), 0);
  for (const double p : kPercentiles) EXPECT_EQ(histogram->Percentile(p), 0);
}

TEST(HistogramTest, SingleSampleIsExact) {
  for (const std::int64_t value :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{127}, std::int64_t{129},
        std::int64_t{1'234'567}, std::int64_t{1'000'000'000'000},
        std::numeric_limits<std::int64_t>::max()}) {
    auto histogram = NewHistogram();
    histogram->Record(value);
    EXPECT_EQ(histogram->Count(), 1u);
    EXPECT_EQ(histogram->Min(), value);
    EXPECT_EQ(histogram->Max(), value);
    EXPECT_EQ(histogram->Mean(), static_cast<double>(value));
    for (const double p : kPercentiles) {
      EXPECT_EQ(histogram->Percentile(p), value)
          << "value " << value << " p" << p;
    }
  }
}

TEST(HistogramTest, SmallValuesAreExact) {
  auto histogram = NewHistogram();
  std::vector<std::int64_t> samples;
  for (std::int64_t v = 0; v < 128; ++v) {
    for (int i = 0; i < 3; ++i) {
      histogram->Record(v);
      samples.push_back(v);
    }
  }
  for (const double p : kPercentiles) {
    EXPECT_EQ(histogram->Percentile(p), ExactPercentile(samples, p))
        << "p" << p;
  }
  EXPECT_DOUBLE_EQ(histogram->Mean(), 63.5);
}

// Every value is reported within 1/128 of itself, across the whole range.
TEST(HistogramTest, BucketsKeepTwoSignificantDigitsEverywhere) {
  std::mt19937_64 rng(5);
  std::vector<std::int64_t> values;
  for (int bits = 0; bits < 63; ++bits) {
    const std::int64_t power = std::int64_t{1} << bits;
    values.push_back(power);
    values.push_back(power - 1);
    values.push_back(power + 1);
    values.push_back(power + power / 2);
    for (int i = 0; i < 20; ++i) {
      values.push_back(power + static_cast<std::int64_t>(
                                   rng() % static_cast<std::uint64_t>(power)));
    }
  }
  for (const std::int64_t value : values) {
    auto histogram = NewHistogram();
    // Bracket the value so the min/max clamp does not hide the bucketing.
    histogram->Record(0);
    histogram->Record(value);
    histogram->Record(std::numeric_limits<std::int64_t>::max());
    const std::int64_t got = histogram->Percentile(50);
    const double error =
        std::abs(static_cast<double>(got) - static_cast<double>(value));
    EXPECT_LE(error, static_cast<double>(value) / 128.0) << "value " << value;
  }
}

TEST(HistogramTest, UniformPercentilesWithinOnePercent) {
  std::mt19937_64 rng(11);
  std::uniform_int_distribution<std::int64_t> uniform(1'000, 10'000'000);
  auto histogram = NewHistogram();
  std::vector<std::int64_t> samples;
  for (int i = 0; i < 200'000; ++i) {
    samples.push_back(uniform(rng));
    histogram->Record(samples.back());
  }
  EXPECT_EQ(histogram->Count(), samples.size());
  ExpectPercentilesClose(*histogram, samples);
  EXPECT_EQ(histogram->Max(),
            *std::max_element(samples.begin(), samples.end()));
  EXPECT_EQ(histogram->Min(),
            *std::min_element(samples.begin(), samples.end()));
}

TEST(HistogramTest, SkewedPercentilesWithinOnePercent) {
  // Latency-like: a log-normal body around 50us plus a few multi-second
  // outliers.
  std::mt19937_64 rng(13);
  std::lognormal_distribution<double> lognormal(std::log(50'000.0), 1.2);
  auto histogram = NewHistogram();
  std::vector<std::int64_t> samples;
  for (int i = 0; i < 200'000; ++i) {
    std::int64_t value = static_cast<std::int64_t>(lognormal(rng));
    if (i % 1'000 == 0) value = 2'000'000'000 + i;
    samples.push_back(value);
    histogram->Record(value);
  }
  ExpectPercentilesClose(*histogram, samples);

  double sum = 0;
  for (const std::int64_t value : samples) sum += static_cast<double>(value);
  EXPECT_NEAR(histogram->Mean(), sum / static_cast<double>(samples.size()),
              1e-9 * sum);
}

TEST(HistogramTest, HugeValuesAndZero) {
  auto histogram = NewHistogram();
  std::vector<std::int64_t> samples;
  for (int i = 0; i < 100; ++i) samples.push_back(0);
  for (int i = 0; i < 100; ++i)
    samples.push_back(1'000'000'000'000 + i * 1'000'000);
  for (const std::int64_t value : samples) histogram->Record(value);

  EXPECT_EQ(histogram->Percentile(0), 0);
  EXPECT_EQ(histogram->Percentile(50), 0);
  EXPECT_NEAR(static_cast<double>(histogram->Percentile(51)), 1e12, 1e10);
  EXPECT_NEAR(static_cast<double>(histogram->Percentile(99)),
              static_cast<double>(ExactPercentile(samples, 99)), 1e10);
  EXPECT_EQ(histogram->Max(), 1'000'000'000'000 + 99 * 1'000'000);
  EXPECT_EQ(histogram->Min(), 0);
  ExpectPercentilesClose(*histogram, samples);
}

TEST(HistogramTest, LargestValueAndManyHugeSamplesDoNotOverflow) {
  auto histogram = NewHistogram();
  constexpr std::int64_t kMax = std::numeric_limits<std::int64_t>::max();
  for (int i = 0; i < 1'000; ++i) histogram->Record(kMax);
  EXPECT_EQ(histogram->Count(), 1'000u);
  EXPECT_EQ(histogram->Max(), kMax);
  EXPECT_EQ(histogram->Percentile(50), kMax);
  EXPECT_NEAR(histogram->Mean(), static_cast<double>(kMax),
              1e-9 * static_cast<double>(kMax));
}

TEST(HistogramTest, NegativeValuesCountAsZero) {
  auto histogram = NewHistogram();
  histogram->Record(-5);
  histogram->Record(std::numeric_limits<std::int64_t>::min());
  EXPECT_EQ(histogram->Count(), 2u);
  EXPECT_EQ(histogram->Min(), 0);
  EXPECT_EQ(histogram->Max(), 0);
  EXPECT_EQ(histogram->Percentile(50), 0);
  EXPECT_EQ(histogram->Mean(), 0.0);
}

TEST(HistogramTest, OutOfRangePercentilesAreClamped) {
  auto histogram = NewHistogram();
  for (std::int64_t v = 1; v <= 1'000; ++v) histogram->Record(v * 1'000);
  EXPECT_EQ(histogram->Percentile(-3), 1'000);
  EXPECT_EQ(histogram->Percentile(std::nan("")), 1'000);
  EXPECT_EQ(histogram->Percentile(250), 1'000'000);
}

TEST(HistogramTest, MergeEqualsRecordingEverythingInOne) {
  std::mt19937_64 rng(17);
  std::lognormal_distribution<double> lognormal(std::log(1e6), 2.0);
  auto left = NewHistogram();
  auto right = NewHistogram();
  auto both = NewHistogram();
  std::vector<std::int64_t> samples;
  for (int i = 0; i < 50'000; ++i) {
    const auto value = static_cast<std::int64_t>(lognormal(rng));
    samples.push_back(value);
    (i % 3 == 0 ? *left : *right).Record(value);
    both->Record(value);
  }
  left->Merge(*right);
  EXPECT_EQ(left->Count(), both->Count());
  EXPECT_EQ(left->Min(), both->Min());
  EXPECT_EQ(left->Max(), both->Max());
  EXPECT_NEAR(left->Mean(), both->Mean(), 1e-9 * both->Mean());
  for (const double p : kPercentiles) {
    EXPECT_EQ(left->Percentile(p), both->Percentile(p)) << "p" << p;
  }
  ExpectPercentilesClose(*left, samples);
}

TEST(HistogramTest, MergeWithEmptyHistograms) {
  auto empty = NewHistogram();
  auto full = NewHistogram();
  full->Record(500);
  full->Record(700);

  auto target = NewHistogram();
  target->Merge(*empty);
  EXPECT_EQ(target->Count(), 0u);
  EXPECT_EQ(target->Max(), 0);

  target->Merge(*full);  // into an empty one: min/max come from `full`
  EXPECT_EQ(target->Count(), 2u);
  EXPECT_EQ(target->Min(), 500);
  EXPECT_EQ(target->Max(), 700);
  EXPECT_DOUBLE_EQ(target->Mean(), 600.0);

  full->Merge(*empty);
  EXPECT_EQ(full->Count(), 2u);
  EXPECT_EQ(full->Min(), 500);
}

TEST(HistogramTest, ResetForgetsEverything) {
  auto histogram = NewHistogram();
  for (std::int64_t v = 0; v < 10'000; ++v) histogram->Record(v * 977);
  histogram->Reset();
  EXPECT_EQ(histogram->Count(), 0u);
  EXPECT_EQ(histogram->Mean(), 0.0);
  EXPECT_EQ(histogram->Max(), 0);
  EXPECT_EQ(histogram->Percentile(99), 0);

  histogram->Record(42);
  EXPECT_EQ(histogram->Count(), 1u);
  EXPECT_EQ(histogram->Min(), 42);
  EXPECT_EQ(histogram->Percentile(1), 42);
  EXPECT_EQ(histogram->Percentile(99), 42);
}

}  // namespace
}  // namespace gale::metrics
