#include "metrics/snapshot.h"

#include <gtest/gtest.h>

#include <random>
#include <sstream>

namespace gale::metrics {
namespace {

TaskSnapshot SampleTask() {
  TaskSnapshot s;
  s.task = 3;
  s.component = "split";
  s.kind = "bolt";
  s.container = 1;
  s.pid = 4242;
  s.counters.emitted = 100;
  s.counters.transferred = 200;
  s.counters.executed = 50;
  s.counters.acked = 49;
  s.counters.failed = 1;
  s.counters.timed_out = 2;
  s.counters.complete_ns = 3000;
  s.counters.execute_ns = 4000;
  s.counters.execute_samples = 5;
  s.counters.user_errors = 6;
  s.counters.misuse = 7;
  s.counters.throttled_ns = 8;
  s.counters.throttle_episodes = 9;
  s.counters.malformed = 10;
  s.counters.dropped = 11;
  s.base.executed = 20;
  s.base.dropped = 4;
  s.base.emitted = 40;
  s.incarnation = 2;
  s.pending = -3;
  s.drained = true;
  s.active = true;
  s.throttled = true;
  s.peak_rss_kb = 9000;
  s.complete_latency.Record(5);
  s.complete_latency.Record(1'000'000);
  s.complete_latency.Record(1'000'000);
  return s;
}

TEST(TaskSnapshotTest, RoundTripsEveryField) {
  TaskSnapshot in = SampleTask();
  TaskSnapshot out;
  ASSERT_TRUE(Decode(Encode(in), &out).ok());
  EXPECT_EQ(out.task, 3);
  EXPECT_EQ(out.component, "split");
  EXPECT_EQ(out.kind, "bolt");
  EXPECT_EQ(out.container, 1);
  EXPECT_EQ(out.pid, 4242);
  EXPECT_EQ(out.counters, in.counters);
  EXPECT_EQ(out.base, in.base);
  EXPECT_EQ(out.incarnation, 2u);
  EXPECT_EQ(out.pending, -3);
  EXPECT_TRUE(out.drained);
  EXPECT_TRUE(out.active);
  EXPECT_TRUE(out.throttled);
  EXPECT_EQ(out.peak_rss_kb, 9000u);
  EXPECT_EQ(out.complete_latency.Count(), 3u);
  // Buckets travel, exact samples do not: within the bucket width (0.8%).
  EXPECT_NEAR(static_cast<double>(out.complete_latency.Percentile(50)), 1e6, 1e6 * 0.008);
  EXPECT_EQ(out.current().executed, 30u);
  EXPECT_EQ(out.current().emitted, 60u);
  EXPECT_EQ(out.counters.dropped, 11u);
  EXPECT_EQ(out.current().dropped, 7u);
}

TEST(TaskSnapshotTest, ReadsTheFilesOfEarlierWriters) {
  // A metrics/task-N file as instances wrote it before `base_*` existed.
  const char* old =
      "task=2\ncomponent=count\nkind=bolt\ncontainer=0\npid=77\nemitted=10\ntransferred=10\n"
      "executed=12\nacked=12\nfailed=0\ntimed_out=0\ncomplete_ns=0\nexecute_ns=100\n"
      "execute_samples=1\nuser_errors=0\nmisuse=0\npending=0\ndrained=0\nactive=1\n"
      "throttled=0\nthrottled_ns=0\nthrottle_episodes=0\npeak_rss_kb=1234\n";
  TaskSnapshot s;
  ASSERT_TRUE(Decode(old, &s).ok());
  EXPECT_EQ(s.task, 2);
  EXPECT_EQ(s.counters.executed, 12u);
  EXPECT_EQ(s.base, TaskCounters{});
  EXPECT_EQ(s.incarnation, 1u);
  EXPECT_EQ(s.current().executed, 12u);
  EXPECT_TRUE(s.active);
}

TaskSnapshot WithStreams() {
  TaskSnapshot s = SampleTask();
  s.queue_depth = 17;
  s.outputs.push_back({"split", "default", {.emitted = 60, .transferred = 120}});
  s.outputs.push_back({"split", "odd words", {.emitted = 40, .transferred = 80}});
  s.inputs.push_back({"sentences", "default", {.executed = 45, .acked = 44, .failed = 1}});
  s.inputs.push_back({"__system", "__tick", {.executed = 5}});
  return s;
}

TEST(TaskSnapshotTest, RoundTripsPerStreamCountsAndQueueDepth) {
  TaskSnapshot in = WithStreams();
  TaskSnapshot out;
  ASSERT_TRUE(Decode(Encode(in), &out).ok());
  EXPECT_EQ(out.outputs, in.outputs);  // a stream id may hold spaces
  EXPECT_EQ(out.inputs, in.inputs);
  EXPECT_EQ(out.queue_depth, 17);
  EXPECT_EQ(out.counters, in.counters);
}

TEST(TaskSnapshotTest, OldAndNewWritersAndReadersUnderstandEachOther) {
  // An older writer: no per-stream lines, no queue depth.
  std::string text = Encode(WithStreams());
  std::string old_text;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("out_", 0) == 0 || line.rfind("in_", 0) == 0 ||
        line.rfind("queue_depth=", 0) == 0) {
      continue;
    }
    old_text += line + "\n";
  }
  ASSERT_NE(old_text, text);
  TaskSnapshot from_old;
  ASSERT_TRUE(Decode(old_text, &from_old).ok());
  EXPECT_TRUE(from_old.outputs.empty());
  EXPECT_TRUE(from_old.inputs.empty());
  EXPECT_EQ(from_old.queue_depth, -1);  // unknown, not 0
  EXPECT_EQ(from_old.counters, WithStreams().counters);
  // An older reader knows only the keys it knew: the new lines are plain
  // key=value lines whose keys it does not look up, so everything it reads
  // is unchanged. A newer writer's keys are likewise ignored here.
  TaskSnapshot from_new;
  ASSERT_TRUE(Decode(text + "out_stats_v9=1 2 3\nsomething_new=x y\n", &from_new).ok());
  EXPECT_EQ(from_new.counters, from_old.counters);
  EXPECT_EQ(from_new.base, from_old.base);
  EXPECT_EQ(from_new.outputs, WithStreams().outputs);
}

TEST(TaskSnapshotTest, RefusesMalformedStreamLines) {
  TaskSnapshot s = WithStreams();
  for (const char* bad : {"task=1\ncomponent=x\nout_1=1\n", "task=1\ncomponent=x\nout_1=1 2\n",
                          "task=1\ncomponent=x\nout_1=1 x s\n",
                          "task=1\ncomponent=x\nin_1=1 2 3 src\n",
                          "task=1\ncomponent=x\nin_1=1 2 3  s\n",
                          "task=1\ncomponent=x\nin_1=-1 2 3 src s\n",
                          // Not a component id: written back, the carriage
                          // return would become a space and split the line.
                          "task=1\ncomponent=x\nin_1=1 2 3 \r s\n",
                          "task=1\ncomponent=x\nin_1=1 2 3 s\rc s\n",
                          "task=1\ncomponent=x\nqueue_depth=many\n"}) {
    EXPECT_FALSE(Decode(bad, &s).ok()) << bad;
  }
  EXPECT_EQ(s.outputs, WithStreams().outputs);
  // Numbering stops at the first gap.
  TaskSnapshot gap;
  ASSERT_TRUE(Decode("task=1\ncomponent=x\nout_1=1 1 a\nout_3=2 2 b\n", &gap).ok());
  ASSERT_EQ(gap.outputs.size(), 1u);
  EXPECT_EQ(gap.outputs[0].stream, "a");
}

TEST(StreamCountersTest, PlusAndSaturatingMinus) {
  StreamCounters a{.emitted = 5, .transferred = 6, .executed = 7, .acked = 8, .failed = 9};
  StreamCounters b{.emitted = 1, .transferred = 10, .executed = 2, .acked = 3, .failed = 4};
  EXPECT_EQ(a.Plus(b), (StreamCounters{6, 16, 9, 11, 13}));
  EXPECT_EQ(a.Minus(b), (StreamCounters{4, 0, 5, 5, 5}));
}

TEST(TaskSnapshotTest, RefusesMalformedRecordsAndLeavesTheOutputAlone) {
  TaskSnapshot s = SampleTask();
  for (const char* bad : {"task=1\ncomponent=x\nexecuted=-1\n", "task=1\ncomponent=x\nemitted=1x\n",
                          "task=0\ncomponent=x\n", "component=x\n", "task=1\n",
                          "task=1\ncomponent=x\ndrained=yes\n", "task=1\ncomponent=x\nnoequals\n",
                          "task=1\ncomponent=x\nexecuted=99999999999999999999\n",
                          "task=1\ncomponent=x\ncomplete_latency_buckets=5:1,5:1\n",
                          "task=1\ncomponent=x\ncomplete_latency_buckets=999999:1\n"}) {
    EXPECT_FALSE(Decode(bad, &s).ok()) << bad;
  }
  EXPECT_EQ(s.component, "split");
  EXPECT_FALSE(Decode(std::string(kMaxEncodedBytes + 1, 'a'), &s).ok());
}

TEST(TaskSnapshotTest, DecoderSurvivesRandomBytesAndMutations) {
  std::mt19937_64 rng(20261128);
  const std::string valid = Encode(WithStreams());
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text;
    if (i % 4 == 0) {
      text.resize(rng() % 300);
      for (char& c : text) c = static_cast<char>(rng() % 256);
    } else {
      text = valid;
      int edits = 1 + static_cast<int>(rng() % 8);
      for (int e = 0; e < edits && !text.empty(); ++e) {
        std::size_t at = rng() % text.size();
        switch (rng() % 4) {
          case 0: text[at] = static_cast<char>(rng() % 256); break;
          case 1: text.erase(at, 1 + rng() % 16); break;
          case 2: text.insert(at, 1, "=\n:,-0123456789"[rng() % 15]); break;
          default: text.insert(at, text.substr(rng() % text.size(), rng() % 32)); break;
        }
      }
    }
    TaskSnapshot t;
    StmgrSnapshot s;
    if (Decode(text, &t).ok()) {
      ++decoded;
      TaskSnapshot again;
      EXPECT_TRUE(Decode(Encode(t), &again).ok());
    }
    (void)Decode(text, &s);
  }
  EXPECT_GT(decoded, 0);  // some mutations keep the record valid
}

TEST(StmgrSnapshotTest, RoundTripsEveryField) {
  StmgrSnapshot in;
  in.container = 2;
  in.pid = 99;
  in.endpoint = "tcp://127.0.0.1:5000";
  in.queued_bytes = 1;
  in.routed_batches = 2;
  in.dropped_batches = 3;
  in.malformed_batches = 4;
  in.backpressure = true;
  in.backpressure_culprit = "count:4";
  in.backpressure_episodes = 5;
  in.last_backpressure_culprit = "count:4";
  in.backpressure_ns = 6;
  in.remote_backpressure = "stmgr:1";
  in.plan_version = "7";
  in.peak_rss_kb = 8;
  StmgrSnapshot out;
  ASSERT_TRUE(Decode(Encode(in), &out).ok());
  EXPECT_EQ(Encode(out), Encode(in));
  EXPECT_EQ(out.backpressure_culprit, "count:4");
  EXPECT_TRUE(out.backpressure);
  EXPECT_FALSE(Decode("pid=1\n", &out).ok());
}

TaskSnapshot Task(int id, const std::string& component, const std::string& kind) {
  TaskSnapshot t;
  t.task = id;
  t.component = component;
  t.kind = kind;
  return t;
}

TEST(AggregateTest, SumsPerComponentInTheGivenOrder) {
  std::vector<ComponentRef> components = {{"spout", "spout", 1}, {"bolt", "", 2}};
  TaskSnapshot s = Task(1, "spout", "spout");
  s.counters.emitted = 10;
  s.counters.acked = 4;
  s.counters.complete_ns = 8'000'000;
  s.pending = 6;
  s.drained = false;
  s.counters.throttled_ns = 1'500'000'000;
  for (int i = 0; i < 100; ++i) s.complete_latency.Record(i < 99 ? 1'000'000 : 50'000'000);
  TaskSnapshot b1 = Task(2, "bolt", "bolt");
  b1.counters.executed = 7;
  b1.counters.execute_ns = 7000;
  b1.counters.execute_samples = 7;
  b1.drained = true;
  TaskSnapshot b2 = Task(3, "bolt", "bolt");
  b2.counters.executed = 5;
  b2.base.executed = 3;
  b2.incarnation = 2;
  b2.counters.execute_ns = 1000;
  b2.counters.execute_samples = 1;
  b2.drained = true;
  TaskSnapshot stray = Task(9, "gone", "bolt");
  stray.counters.emitted = 1000;

  StmgrSnapshot m0, m1;
  m0.queued_bytes = 10;
  m0.backpressure = true;
  m0.backpressure_culprit = "bolt:2";
  m0.last_backpressure_culprit = "bolt:2";
  m0.backpressure_episodes = 2;
  m0.backpressure_ns = 500'000'000;
  m1.queued_bytes = 5;
  m1.last_backpressure_culprit = "bolt:3";
  m1.backpressure_episodes = 1;
  m1.backpressure_ns = 250'000'000;

  TopologyMetrics m = Aggregate(components, {b1, s, b2, stray}, {m0, m1});
  ASSERT_EQ(m.components.size(), 2u);
  const ComponentMetrics& spout = m.components[0];
  const ComponentMetrics& bolt = m.components[1];
  EXPECT_EQ(spout.id, "spout");
  EXPECT_EQ(bolt.id, "bolt");
  EXPECT_EQ(bolt.kind, "bolt");  // taken from the snapshots
  EXPECT_EQ(bolt.tasks, 2);
  EXPECT_EQ(bolt.tasks_reporting, 2);
  EXPECT_EQ(bolt.totals.executed, 12u);
  EXPECT_EQ(bolt.current.executed, 9u);
  EXPECT_EQ(bolt.restarted_tasks, 1u);
  EXPECT_DOUBLE_EQ(bolt.execute_mean_us, 1.0);
  EXPECT_TRUE(bolt.drained);
  EXPECT_EQ(spout.pending, 6);
  EXPECT_FALSE(spout.drained);
  EXPECT_DOUBLE_EQ(spout.complete_mean_ms, 2.0);
  EXPECT_NEAR(spout.complete_p50_ms, 1.0, 0.01);
  EXPECT_NEAR(spout.complete_p999_ms, 50.0, 0.5);
  EXPECT_DOUBLE_EQ(spout.throttled_secs, 1.5);
  EXPECT_FALSE(m.spouts_drained);
  EXPECT_EQ(m.progress, 14u);  // the stray component does not count
  EXPECT_EQ(m.tasks_reporting, 3);
  EXPECT_EQ(m.tasks_total, 3);
  EXPECT_TRUE(m.backpressure.active);
  EXPECT_EQ(m.backpressure.culprits, "bolt:2");
  EXPECT_EQ(m.backpressure.last_culprits, "bolt:2,bolt:3");
  EXPECT_EQ(m.backpressure.episodes, 3u);
  EXPECT_DOUBLE_EQ(m.backpressure.secs, 0.75);
  EXPECT_EQ(m.backpressure.queued_bytes, 15u);
}

TEST(AggregateTest, EmptyInputsGiveZeroes) {
  TopologyMetrics m = Aggregate({{"c", "bolt", 1}}, {}, {});
  ASSERT_EQ(m.components.size(), 1u);
  EXPECT_EQ(m.components[0].tasks_reporting, 0);
  EXPECT_EQ(m.components[0].complete_p99_ms, 0);
  EXPECT_FALSE(m.backpressure.active);
  EXPECT_EQ(m.tasks_total, 1);
}

}  // namespace
}  // namespace gale::metrics
