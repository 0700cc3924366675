#include "stmgr/backpressure_gauge.h"

#include <chrono>

#include <gtest/gtest.h>

#include "support/fake_clock.h"
#include "unit/stmgr/test_plan.h"

namespace gale::stmgr {
namespace {

using std::chrono::seconds;
using test_support::FakeClock;

plan::Watermarks Marks() {
  return {.high_bytes = 1000, .low_bytes = 500, .high_tuples = 10, .low_tuples = 5};
}

TEST(BackpressureGauge, OnAboveHighOffOnlyBelowLow) {
  FakeClock clock;
  BackpressureGauge g(Marks(), &clock);
  EXPECT_FALSE(g.OnGrow(100, 10, Culprit::Task(3)));  // at the watermark: not above
  EXPECT_FALSE(g.on());
  EXPECT_TRUE(g.OnGrow(100, 11, Culprit::Task(3)));
  EXPECT_TRUE(g.on());
  // Between the watermarks it stays on (hysteresis).
  EXPECT_FALSE(g.Update({}, g.Below(100, 7)));
  EXPECT_TRUE(g.on());
  EXPECT_FALSE(g.Update({}, g.Below(600, 0)));  // bytes not below the low mark
  EXPECT_TRUE(g.on());
  EXPECT_TRUE(g.Update({}, g.Below(100, 4)));
  EXPECT_FALSE(g.on());
}

TEST(BackpressureGauge, AnotherQueueAboveDoesNotStartASecondEpisode) {
  FakeClock clock;
  BackpressureGauge g(Marks(), &clock);
  EXPECT_TRUE(g.Update(Culprit::Task(3), false));
  EXPECT_FALSE(g.OnGrow(5000, 50, Culprit::Task(4)));
  EXPECT_FALSE(g.Update(Culprit::Task(4), false));
  EXPECT_EQ(g.episodes(), 1u);
  EXPECT_EQ(g.culprit(), Culprit::Task(3));
}

TEST(BackpressureGauge, CountsEpisodesAndTimeIncludingTheCurrentOne) {
  FakeClock clock;
  BackpressureGauge g(Marks(), &clock);
  EXPECT_EQ(g.on_ns(), 0);
  ASSERT_TRUE(g.Update(Culprit::Task(2), false));
  clock.Advance(seconds(3));
  EXPECT_EQ(g.on_ns(), 3'000'000'000);  // still on: the open episode counts
  ASSERT_TRUE(g.Update({}, true));
  clock.Advance(seconds(10));  // off: does not count
  EXPECT_EQ(g.on_ns(), 3'000'000'000);
  ASSERT_TRUE(g.Update(Culprit::Container(1), false));
  clock.Advance(seconds(2));
  ASSERT_TRUE(g.Update({}, true));
  EXPECT_EQ(g.episodes(), 2u);
  EXPECT_EQ(g.on_ns(), 5'000'000'000);
}

TEST(BackpressureGauge, NamesCurrentAndLastCulprit) {
  auto plan = testing::TestPlan();
  ASSERT_NE(plan, nullptr);
  FakeClock clock;
  BackpressureGauge g(Marks(), &clock);
  EXPECT_EQ(CulpritName(*plan, g.culprit()), "");
  ASSERT_TRUE(g.Update(Culprit::Task(3), false));
  EXPECT_EQ(CulpritName(*plan, g.culprit()), "sink:3");
  ASSERT_TRUE(g.Update({}, true));
  EXPECT_EQ(CulpritName(*plan, g.culprit()), "");  // none now
  EXPECT_EQ(CulpritName(*plan, g.last_culprit()), "sink:3");
  ASSERT_TRUE(g.Update(Culprit::Container(1), false));
  EXPECT_EQ(CulpritName(*plan, g.culprit()), "stmgr:1");
}

TEST(BackpressureGauge, NothingAboveKeepsItOff) {
  FakeClock clock;
  BackpressureGauge g(Marks(), &clock);
  EXPECT_FALSE(g.Update({}, false));  // between the marks, never above
  EXPECT_FALSE(g.Update({}, true));
  EXPECT_FALSE(g.on());
  EXPECT_EQ(g.episodes(), 0u);
}

}  // namespace
}  // namespace gale::stmgr
