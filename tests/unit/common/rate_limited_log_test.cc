// RateLimiter and SuppressedSuffix on a hand-driven clock.

#include "common/rate_limited_log.h"

#include <gtest/gtest.h>

namespace gale {
namespace {

using std::chrono::seconds;

TEST(RateLimiterTest, FirstEventPassesThenOnePerIntervalWithTheCountBetween) {
  RateLimiter limiter(seconds(10));
  const auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  auto first = limiter.Allow(t0);
  ASSERT_TRUE(first.has_value());
  EXPECT_EQ(*first, 0u);
  for (int i = 1; i <= 1000; ++i) {
    EXPECT_FALSE(limiter.Allow(t0 + std::chrono::milliseconds(i)).has_value());
  }
  auto next = limiter.Allow(t0 + seconds(10));
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(*next, 1000u);
  EXPECT_FALSE(limiter.Allow(t0 + seconds(11)).has_value());
  auto later = limiter.Allow(t0 + seconds(60));
  ASSERT_TRUE(later.has_value());
  EXPECT_EQ(*later, 1u);
}

TEST(RateLimiterTest, SuffixSaysHowManySimilarLinesWereSuppressed) {
  EXPECT_EQ(SuppressedSuffix(0), "");
  EXPECT_EQ(SuppressedSuffix(1), " (1 similar line suppressed)");
  EXPECT_EQ(SuppressedSuffix(1234), " (1234 similar lines suppressed)");
}

}  // namespace
}  // namespace gale
