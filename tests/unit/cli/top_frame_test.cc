#include "top_frame.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace gale::cli {
namespace {

metrics::TaskSnapshot Task(int id, const std::string& component, const std::string& kind) {
  metrics::TaskSnapshot t;
  t.task = id;
  t.component = component;
  t.kind = kind;
  t.pid = 1000 + id;
  return t;
}

// A snapshot of the given tasks, summed as TakeSnapshot does.
Snapshot SnapshotOf(std::vector<metrics::TaskSnapshot> tasks,
                    std::vector<metrics::StmgrSnapshot> stmgrs = {}) {
  Snapshot s;
  std::vector<metrics::ComponentRef> refs;
  for (const metrics::TaskSnapshot& t : tasks) {
    if (refs.empty() || refs.back().id != t.component) refs.push_back({t.component, t.kind, 0});
    refs.back().tasks++;
  }
  s.tasks = std::move(tasks);
  s.stmgrs = std::move(stmgrs);
  s.metrics = metrics::Aggregate(refs, s.tasks, s.stmgrs);
  return s;
}

TEST(TopRates, AreTheDifferenceOverTheSeconds) {
  EXPECT_DOUBLE_EQ(RatePerSec(100, 400, 2.0), 150.0);
  EXPECT_DOUBLE_EQ(RatePerSec(100, 100, 1.0), 0.0);
  EXPECT_DOUBLE_EQ(RatePerSec(500, 100, 1.0), 0.0);  // never negative
  EXPECT_DOUBLE_EQ(RatePerSec(0, 10, 0.0), 0.0);     // no interval, no rate
}

TEST(TopCapacity, IsExecutedTimesMeanExecuteLatencyOverTheInterval) {
  metrics::TaskCounters d;
  d.executed = 1000;
  d.execute_ns = 50'000'000;  // 100 samples of 500 us
  d.execute_samples = 100;
  // 1000 x 500 us = 0.5 s busy in a 2 s interval.
  ASSERT_TRUE(Capacity(d, 2.0).has_value());
  EXPECT_DOUBLE_EQ(*Capacity(d, 2.0), 0.25);
  EXPECT_DOUBLE_EQ(*Capacity(d, 0.5), 1.0);
  d.execute_samples = 0;
  EXPECT_FALSE(Capacity(d, 1.0).has_value());
  d.execute_samples = 100;
  d.executed = 0;
  EXPECT_FALSE(Capacity(d, 1.0).has_value());
}

TEST(TopHistogram, KeepsOnlyTheSamplesOfTheInterval) {
  metrics::Histogram before;
  for (int i = 0; i < 1000; ++i) before.Record(1'000'000);  // 1 ms
  metrics::Histogram now = before;
  for (int i = 0; i < 100; ++i) now.Record(50'000'000);  // 50 ms
  metrics::Histogram since = HistogramSince(before, now);
  EXPECT_EQ(since.Count(), 100u);
  EXPECT_NEAR(static_cast<double>(since.Percentile(99)), 50e6, 50e6 * 0.01);
  // A histogram that shrank is a new process: all of it is new.
  metrics::Histogram fresh;
  fresh.Record(2'000'000);
  EXPECT_EQ(HistogramSince(before, fresh).Count(), 1u);
}

TEST(TopRows, ComputeRatesLatencyCapacityAndLiveness) {
  metrics::TaskSnapshot spout = Task(1, "words", "spout");
  metrics::TaskSnapshot bolt_a = Task(2, "count", "bolt");
  metrics::TaskSnapshot bolt_b = Task(3, "count", "bolt");
  Snapshot before = SnapshotOf({spout, bolt_a, bolt_b});

  spout.counters.emitted = 2000;
  spout.counters.acked = 1000;
  spout.counters.complete_ns = 1000 * 4'000'000ull;  // 4 ms each
  for (int i = 0; i < 1000; ++i) spout.complete_latency.Record(4'000'000);
  spout.counters.timed_out = 3;
  bolt_a.counters.executed = 1500;
  bolt_a.counters.execute_ns = 150 * 1'000'000ull;  // 1 ms each
  bolt_a.counters.execute_samples = 150;
  bolt_b.counters.executed = 500;
  bolt_b.counters.execute_ns = 50 * 1'000'000ull;
  bolt_b.counters.execute_samples = 50;
  bolt_b.incarnation = 3;
  Snapshot now = SnapshotOf({spout, bolt_a, bolt_b});

  std::vector<ComponentRow> rows = ComputeRows(before, now, 2.0, {1, 2});
  ASSERT_EQ(rows.size(), 2u);
  const ComponentRow& w = rows[0];
  EXPECT_EQ(w.id, "words");
  EXPECT_DOUBLE_EQ(w.emitted_per_sec, 1000);
  EXPECT_DOUBLE_EQ(w.acked_per_sec, 500);
  ASSERT_TRUE(w.complete_mean_ms.has_value());
  EXPECT_DOUBLE_EQ(*w.complete_mean_ms, 4.0);
  ASSERT_TRUE(w.complete_p99_ms.has_value());
  EXPECT_NEAR(*w.complete_p99_ms, 4.0, 0.04);
  EXPECT_EQ(w.timed_out, 3u);
  EXPECT_TRUE(w.failing);
  EXPECT_EQ(w.tasks_live, 1);
  EXPECT_FALSE(w.capacity.has_value());

  const ComponentRow& c = rows[1];
  EXPECT_EQ(c.tasks, 2);
  EXPECT_EQ(c.tasks_live, 1);  // task 3 is not alive
  EXPECT_EQ(c.restarts, 2u);   // its third process
  EXPECT_DOUBLE_EQ(c.executed_per_sec, 1000);
  ASSERT_TRUE(c.execute_mean_us.has_value());
  EXPECT_DOUBLE_EQ(*c.execute_mean_us, 1000.0);
  // The busiest task: 1500 x 1 ms in 2 s.
  ASSERT_TRUE(c.capacity.has_value());
  EXPECT_DOUBLE_EQ(*c.capacity, 0.75);
  EXPECT_FALSE(c.complete_mean_ms.has_value());
  EXPECT_FALSE(c.failing);
}

TEST(TopRows, NameTheBackpressureCulprit) {
  metrics::TaskSnapshot spout = Task(1, "words", "spout");
  metrics::TaskSnapshot bolt = Task(2, "count", "bolt");
  metrics::StmgrSnapshot stmgr;
  stmgr.backpressure = true;
  stmgr.backpressure_culprit = "count:2";
  Snapshot now = SnapshotOf({spout, bolt}, {stmgr});
  std::vector<ComponentRow> rows = ComputeRows(now, now, 1.0, {});
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_FALSE(rows[0].culprit);
  EXPECT_TRUE(rows[1].culprit);
  EXPECT_DOUBLE_EQ(rows[1].executed_per_sec, 0);
}

FrameHeader Header() {
  FrameHeader h;
  h.name = "wordcount";
  h.running = true;
  h.active = true;
  h.uptime_secs = 725;
  h.tasks_live = 3;
  h.tasks_total = 3;
  h.clock = "12:00:00";
  return h;
}

ComponentRow Row(const std::string& id) {
  ComponentRow r;
  r.id = id;
  r.kind = "bolt";
  r.tasks = 2;
  r.tasks_live = 2;
  r.executed_per_sec = 12345;
  r.capacity = 0.9;
  r.execute_mean_us = 12.5;
  return r;
}

TEST(TopFrame, ShowsHeaderBackpressureAndOneLinePerComponent) {
  FrameHeader h = Header();
  h.backpressure.active = true;
  h.backpressure.culprits = "count:2";
  h.backpressure.episodes = 4;
  h.backpressure.secs = 1.5;
  ComponentRow culprit = Row("count");
  culprit.culprit = true;
  std::vector<std::string> lines = FormatFrame(h, {Row("split"), culprit}, {});
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(lines[0], "topology wordcount: running, active, up 12m05s, 3/3 tasks live  every 1s"
                      "  12:00:00");
  EXPECT_EQ(lines[1], "backpressure: ACTIVE, held by count:2; 4 episodes, 1.50 s in total");
  EXPECT_EQ(lines[2], "");
  EXPECT_EQ(lines[3].rfind("COMPONENT", 0), 0u);
  EXPECT_NE(lines[3].find("CAP"), std::string::npos);
  EXPECT_EQ(lines[4].rfind("split ", 0), 0u) << lines[4];
  EXPECT_NE(lines[4].find(" 12.3k "), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find(" 0.900 "), std::string::npos) << lines[4];
  EXPECT_NE(lines[4].find(" 2/2 "), std::string::npos) << lines[4];
  EXPECT_EQ(lines[5].rfind("*count ", 0), 0u) << lines[5];
  for (const std::string& line : lines) {
    EXPECT_EQ(line.find('\x1b'), std::string::npos) << "no colour asked for: " << line;
  }
}

TEST(TopFrame, TruncatesEveryLineToTheWidth) {
  FrameStyle narrow;
  narrow.width = 30;
  for (bool colour : {false, true}) {
    narrow.colour = colour;
    std::vector<std::string> lines = FormatFrame(Header(), {Row("a-rather-long-component-id")},
                                                 narrow);
    for (const std::string& line : lines) {
      std::string visible;
      for (std::size_t i = 0; i < line.size(); ++i) {
        if (line[i] == '\x1b') {
          i = line.find('m', i);
          continue;
        }
        visible += line[i];
      }
      EXPECT_LE(visible.size(), 30u) << line;
    }
    if (!colour) {
      EXPECT_EQ(lines[0], "topology wordcount: running, a");
    }
  }
}

TEST(TopFrame, ColoursBusyAndDeadOnlyWhenAsked) {
  FrameHeader h = Header();
  h.running = false;
  FrameStyle style;
  style.colour = true;
  std::vector<std::string> lines = FormatFrame(h, {Row("count")}, style);
  EXPECT_NE(lines[0].find("\x1b[1;31mdead\x1b[0m"), std::string::npos) << lines[0];
  EXPECT_NE(lines[4].find("\x1b[1;31m"), std::string::npos) << "capacity 0.9 is busy";
  style.colour = false;
  lines = FormatFrame(h, {Row("count")}, style);
  EXPECT_NE(lines[0].find(": dead,"), std::string::npos) << lines[0];
}

TEST(TopFrame, FormatsDurationsAndRates) {
  EXPECT_EQ(FormatDuration(45), "45s");
  EXPECT_EQ(FormatDuration(725), "12m05s");
  EXPECT_EQ(FormatDuration(3 * 3600 + 4 * 60 + 9), "3h04m");
  EXPECT_EQ(FormatDuration(2 * 86400 + 5 * 3600), "2d05h");
  EXPECT_EQ(FormatRate(0), "0");
  EXPECT_EQ(FormatRate(12.54), "12.5");
  EXPECT_EQ(FormatRate(987), "987");
  EXPECT_EQ(FormatRate(12345), "12.3k");
  EXPECT_EQ(FormatRate(4'560'000), "4.56M");
}

}  // namespace
}  // namespace gale::cli
