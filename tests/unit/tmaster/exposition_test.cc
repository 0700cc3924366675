// The topology master's view of metrics (MetricsStore) and how /metrics and
// /api/v1 render it (exposition.h).

#include "tmaster/exposition.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "tmaster/metrics_store.h"
#include "unit/stmgr/test_plan.h"

namespace gale::tmaster {
namespace {

constexpr std::int64_t kSec = 1'000'000'000;

// Tasks of the test plan: src 1 (container 0), sink 2 (1), 3 (0), 4 (1).
metrics::TaskSnapshot Task(int id, std::uint64_t executed) {
  metrics::TaskSnapshot s;
  s.task = id;
  s.component = id == 1 ? "src" : "sink";
  s.kind = id == 1 ? "spout" : "bolt";
  s.container = (id - 1) % 2;
  s.pid = 100 + id;
  s.counters.executed = executed;
  s.counters.acked = executed;
  s.counters.emitted = 2 * executed;
  s.counters.execute_ns = executed * 1'000'000;  // 1 ms each
  s.counters.execute_samples = executed;
  s.rss_kb = 1000 + static_cast<std::uint64_t>(id);
  s.cpu_ms = 1500;
  s.incarnation = 2;
  return s;
}

metrics::Report Report(int container, std::uint64_t executed) {
  metrics::Report r;
  r.stmgr.container = container;
  r.stmgr.pid = 50 + container;
  r.stmgr.backpressure = container == 1;
  r.stmgr.backpressure_culprit = container == 1 ? "sink:4" : "";
  r.stmgr.backpressure_ns = 2 * kSec;
  r.stmgr.rss_kb = 3000;
  for (std::int32_t t = 1; t <= 4; ++t) {
    if ((t - 1) % 2 == container) r.tasks.push_back(Task(t, executed));
  }
  return r;
}

std::unique_ptr<MetricsStore> Filled(const std::string& topology = "words") {
  auto store = std::make_unique<MetricsStore>(topology, stmgr::testing::TestPlan(), "hostA");
  for (int c = 0; c < 2; ++c) store->Add(c, Report(c, 100), 0);
  return store;
}

// name{labels} -> value, for every sample line; fails on any other line.
std::map<std::string, std::string> Samples(const std::string& text) {
  std::map<std::string, std::string> out;
  std::istringstream in(text);
  std::string line;
  std::set<std::string> typed;
  const std::regex sample(R"(^([a-z_]+)(\{[^}]*\})? (\S+)$)");
  const std::regex meta(R"(^# (HELP|TYPE) ([a-z_]+) .+$)");
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_match(line, m, meta)) {
      if (m[1] == "TYPE") {
        EXPECT_TRUE(typed.insert(m[2]).second) << "TYPE twice: " << line;
      }
      continue;
    }
    EXPECT_TRUE(std::regex_match(line, m, sample)) << "not a sample line: " << line;
    out[std::string(m[1]) + std::string(m[2])] = m[3];
  }
  return out;
}

std::string Labels(const std::string& component, int task) {
  return "{topology=\"words\",component=\"" + component + "\",task=\"" + std::to_string(task) +
         "\",container=\"" + std::to_string((task - 1) % 2) + "\",host=\"hostA\"}";
}

// Labels of a per-stream sample: outputs name the stream, inputs the source
// component and stream.
std::string OutLabels(const std::string& component, int task, const std::string& stream) {
  std::string l = Labels(component, task);
  return l.substr(0, l.size() - 1) + ",stream=\"" + stream + "\"}";
}
std::string InLabels(const std::string& component, int task, const std::string& source,
                     const std::string& stream) {
  std::string l = Labels(component, task);
  return l.substr(0, l.size() - 1) + ",source_component=\"" + source + "\",stream=\"" + stream +
         "\"}";
}

TEST(Exposition, CountersCarryTheSnapshotsValuesWithIdsAsLabels) {
  auto store = Filled();
  auto samples = Samples(PrometheusText(store->View(kSec)));
  // These snapshots are an older writer's (no per-stream counts): one
  // sample per task, with empty stream labels.
  EXPECT_EQ(samples["gale_tuples_executed_total" + InLabels("sink", 2, "", "")], "100");
  EXPECT_EQ(samples["gale_tuples_emitted_total" + OutLabels("src", 1, "")], "200");
  EXPECT_EQ(samples["gale_tuples_acked_total" + InLabels("src", 1, "", "")], "100");
  EXPECT_EQ(samples.count("gale_tuples_executed_total" + InLabels("src", 1, "", "")), 0u)
      << "spouts execute nothing";
  EXPECT_EQ(samples.count("gale_task_queue_depth" + Labels("sink", 2)), 0u)
      << "an older writer's queue depth is unknown, not 0";
  EXPECT_EQ(samples["gale_task_restarts_total" + Labels("sink", 3)], "1");
  EXPECT_EQ(samples["gale_execute_latency_seconds_count" + Labels("sink", 4)], "100");
  EXPECT_EQ(samples["gale_execute_latency_seconds_sum" + Labels("sink", 4)], "0.1");
  EXPECT_EQ(samples["gale_process_cpu_seconds_total{topology=\"words\",component=\"sink\","
                    "task=\"2\",container=\"1\",host=\"hostA\",role=\"task\"}"],
            "1.5");
  EXPECT_EQ(samples["gale_process_resident_memory_bytes{topology=\"words\",container=\"1\","
                    "host=\"hostA\",role=\"stmgr\"}"],
            std::to_string(3000 * 1024));
  EXPECT_EQ(samples["gale_backpressure_seconds_total{topology=\"words\",container=\"0\","
                    "host=\"hostA\"}"],
            "2");
  EXPECT_EQ(samples["gale_backpressure_active{topology=\"words\",container=\"1\",host=\"hostA\","
                    "culprit=\"sink:4\"}"],
            "1");
  // No id ever becomes part of a metric name.
  for (const auto& [key, value] : samples) {
    std::string name = key.substr(0, key.find('{'));
    EXPECT_TRUE(std::regex_match(name, std::regex("gale_[a-z_]+"))) << name;
    EXPECT_EQ(name.find("sink"), std::string::npos) << name;
  }
}

// A snapshot as a task of this version writes it: src emits on "default"
// and "odd"; sink executes both (the plan's sink subscribes to src's
// default stream only; the snapshot decides what is rendered).
metrics::TaskSnapshot StreamTask(int id) {
  metrics::TaskSnapshot s = Task(id, 30);
  if (id == 1) {
    s.counters.emitted = 30;
    s.counters.transferred = 30;
    s.outputs = {{"src", "default", {.emitted = 20, .transferred = 20}},
                 {"src", "odd", {.emitted = 10, .transferred = 10}}};
  } else {
    s.counters.emitted = 0;
    s.counters.failed = 2;
    s.inputs = {{"src", "default", {.executed = 20, .acked = 19, .failed = 1}},
                {"src", "odd", {.executed = 10, .acked = 9, .failed = 1}}};
  }
  s.queue_depth = id;
  return s;
}

TEST(Exposition, PerStreamCountsAreOneSeriesPerStream) {
  MetricsStore store("words", stmgr::testing::TestPlan(), "hostA");
  for (int c = 0; c < 2; ++c) {
    metrics::Report r = Report(c, 0);
    for (auto& t : r.tasks) t = StreamTask(t.task);
    if (c == 0) r.tasks[1].inputs.push_back(r.tasks[1].inputs[0]);  // a duplicate from the wire
    store.Add(c, r, 0);
  }
  std::string text = PrometheusText(store.View(kSec));
  auto samples = Samples(text);
  EXPECT_EQ(samples["gale_tuples_emitted_total" + OutLabels("src", 1, "default")], "20");
  EXPECT_EQ(samples["gale_tuples_emitted_total" + OutLabels("src", 1, "odd")], "10");
  EXPECT_EQ(samples["gale_tuples_transferred_total" + OutLabels("src", 1, "odd")], "10");
  EXPECT_EQ(samples["gale_tuples_executed_total" + InLabels("sink", 3, "src", "default")], "20");
  EXPECT_EQ(samples["gale_tuples_executed_total" + InLabels("sink", 3, "src", "odd")], "10");
  EXPECT_EQ(samples["gale_tuples_acked_total" + InLabels("sink", 4, "src", "odd")], "9");
  EXPECT_EQ(samples["gale_tuples_failed_total" + InLabels("sink", 2, "src", "default")], "1");
  // A spout's acks are tuple trees: per task, with empty stream labels.
  EXPECT_EQ(samples["gale_tuples_acked_total" + InLabels("src", 1, "", "")], "30");
  EXPECT_EQ(samples["gale_task_queue_depth" + Labels("sink", 4)], "4");
  // One series per stream: no per-task total beside them, nothing twice
  // (Samples fails on a TYPE twice; a repeated series shows as a repeated
  // line), and the bolts, which declare no output stream, emit nothing.
  std::map<std::string, int> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (line[0] != '#') lines[line.substr(0, line.rfind(' '))]++;
  }
  for (const auto& [series, n] : lines) EXPECT_EQ(n, 1) << series;
  int executed = 0, emitted = 0;
  for (const auto& [key, value] : samples) {
    if (key.rfind("gale_tuples_executed_total{", 0) == 0) {
      ++executed;
      EXPECT_NE(key.find("stream=\""), std::string::npos) << key;
      EXPECT_NE(key.find("source_component=\"src\""), std::string::npos) << key;
    }
    if (key.rfind("gale_tuples_emitted_total{", 0) == 0) ++emitted;
  }
  EXPECT_EQ(executed, 6);  // 3 tasks x 2 input streams
  EXPECT_EQ(emitted, 2);   // src's 2 streams
}

TEST(MetricsStore, PerStreamWindowsCountWhatHappenedWithinThem) {
  MetricsStore store("words", stmgr::testing::TestPlan(), "hostA");
  auto at = [&](std::uint64_t n, std::int64_t ns) {
    for (int c = 0; c < 2; ++c) {
      metrics::Report r = Report(c, 0);
      for (auto& t : r.tasks) {
        t = StreamTask(t.task);
        for (auto& st : t.outputs) st.counters.emitted *= n;
        for (auto& st : t.inputs) st.counters.executed *= n;
      }
      store.Add(c, r, ns);
    }
  };
  at(1, 0);
  at(4, 30 * kSec);
  at(10, 90 * kSec);
  TopologyView v = store.View(90 * kSec);
  const TaskView& src = v.tasks.at(1);
  ASSERT_EQ(src.windows[0].outputs.size(), 2u);
  EXPECT_EQ(src.windows[0].outputs[1].stream, "odd");
  EXPECT_EQ(src.windows[0].outputs[1].counters.emitted, 60u);   // 100 - 40
  EXPECT_EQ(src.windows[1].outputs[1].counters.emitted, 90u);   // 100 - 10
  EXPECT_EQ(src.windows[2].outputs[1].counters.emitted, 100u);  // all time
  const TaskView& sink = v.tasks.at(2);
  EXPECT_EQ(sink.windows[0].inputs[0].counters.executed, 120u);  // 200 - 80
  // The JSON: per task, per component and per edge.
  nlohmann::json j = TopologyJson(v);
  const auto& task1 = j["physical_plan"]["tasks"][0];
  EXPECT_EQ(task1["streams"]["outputs"][1]["stream"], "odd");
  EXPECT_EQ(task1["streams"]["outputs"][1]["metrics"]["1m"]["emitted"], 60);
  const auto& odd_1m = task1["streams"]["outputs"][1]["metrics"]["1m"];
  EXPECT_DOUBLE_EQ(odd_1m["emitted_per_sec"].get<double>(), 1);
  EXPECT_EQ(j["physical_plan"]["tasks"][1]["queue_depth"], 2);
  const auto& sink_inputs = j["components"]["sink"]["streams"]["inputs"];
  ASSERT_EQ(sink_inputs.size(), 2u);
  EXPECT_EQ(sink_inputs[0]["component"], "src");
  EXPECT_EQ(sink_inputs[0]["stream"], "default");
  EXPECT_EQ(sink_inputs[0]["metrics"]["1m"]["executed"], 3 * 120);
  EXPECT_EQ(sink_inputs[1]["metrics"]["all"]["executed"], 3 * 100);
  // The plan's one edge, src -default-> sink, carries that stream's counts.
  const auto& edge = j["logical_plan"]["streams"][0];
  EXPECT_EQ(edge["metrics"]["1m"]["emitted"], 120);
  EXPECT_EQ(edge["metrics"]["1m"]["executed"], 3 * 120);
  EXPECT_DOUBLE_EQ(edge["metrics"]["1m"]["executed_per_sec"].get<double>(), 6);
}

TEST(Exposition, CompleteLatencyIsACumulativeHistogram) {
  MetricsStore store("words", stmgr::testing::TestPlan(), "hostA");
  metrics::Report r = Report(0, 10);
  r.tasks[0].complete_latency.Record(2'000'000);    // 2 ms
  r.tasks[0].complete_latency.Record(2'000'000);
  r.tasks[0].complete_latency.Record(700'000'000);  // 0.7 s
  store.Add(0, r, 0);
  auto samples = Samples(PrometheusText(store.View(0)));
  auto bucket = [&](const std::string& le) {
    return samples["gale_complete_latency_seconds_bucket{topology=\"words\",component=\"src\","
                   "task=\"1\",container=\"0\",host=\"hostA\",le=\"" + le + "\"}"];
  };
  EXPECT_EQ(bucket("0.001"), "0");
  EXPECT_EQ(bucket("0.0025"), "2");
  EXPECT_EQ(bucket("0.5"), "2");
  EXPECT_EQ(bucket("1"), "3");
  EXPECT_EQ(bucket("+Inf"), "3");
  EXPECT_EQ(samples["gale_complete_latency_seconds_count" + Labels("src", 1)], "3");
  double sum = std::stod(samples["gale_complete_latency_seconds_sum" + Labels("src", 1)]);
  EXPECT_NEAR(sum, 0.704, 0.01);
}

TEST(Exposition, LabelValuesAreEscaped) {
  EXPECT_EQ(EscapeLabel("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  auto store = Filled("we\"ird\\name");
  std::string text = PrometheusText(store->View(0));
  EXPECT_NE(text.find("topology=\"we\\\"ird\\\\name\""), std::string::npos);
  Samples(text);  // every line still parses
}

TEST(MetricsStore, WindowsCountWhatHappenedWithinThem) {
  MetricsStore store("words", stmgr::testing::TestPlan(), "hostA");
  // 100 executed at t=0, 400 at t=30 s, 1000 at t=90 s.
  for (int c = 0; c < 2; ++c) store.Add(c, Report(c, 100), 0);
  for (int c = 0; c < 2; ++c) store.Add(c, Report(c, 400), 30 * kSec);
  for (int c = 0; c < 2; ++c) store.Add(c, Report(c, 1000), 90 * kSec);
  TopologyView v = store.View(90 * kSec);
  const TaskView& t = v.tasks.at(2);
  // The last minute: from the sample at 30 s.
  EXPECT_EQ(t.windows[0].name, "1m");
  EXPECT_DOUBLE_EQ(t.windows[0].secs, 60);
  EXPECT_EQ(t.windows[0].delta.executed, 600u);
  EXPECT_DOUBLE_EQ(t.windows[0].rate(t.windows[0].delta.executed), 10);
  // 600 executes of 1 ms in 60 s: busy 1% of the time.
  EXPECT_NEAR(t.windows[0].capacity(), 0.01, 1e-9);
  // Ten minutes reach back to the first sample.
  EXPECT_EQ(t.windows[1].delta.executed, 900u);
  EXPECT_DOUBLE_EQ(t.windows[1].secs, 90);
  EXPECT_EQ(t.windows[2].name, "all");
  EXPECT_EQ(t.windows[2].delta.executed, 1000u);
}

TEST(MetricsStore, RefusesTasksReportedByAnotherContainer) {
  MetricsStore store("words", stmgr::testing::TestPlan(), "hostA");
  metrics::Report r = Report(0, 10);
  r.tasks.push_back(Task(2, 10));   // task 2 lives in container 1
  r.tasks.push_back(Task(9, 10));   // no such task
  metrics::TaskSnapshot renamed = Task(3, 10);
  renamed.component = "other";      // not task 3's component
  r.tasks.push_back(renamed);
  store.Add(0, r, 0);
  metrics::Report wrong = Report(1, 10);
  store.Add(0, wrong, 0);  // container 1's report arriving from container 0
  TopologyView v = store.View(0);
  EXPECT_EQ(v.tasks.count(1), 1u);
  EXPECT_EQ(v.tasks.count(2), 0u);
  EXPECT_EQ(v.tasks.at(3).snapshot.component, "sink");
  EXPECT_EQ(v.malformed_reports, 4u);
}

// Each container's host is its stream manager's, as reported; the
// master's own host stands in until a report names one.
TEST(TopologyJson, EachContainerAndTaskNamesItsStreamManagersHost) {
  auto store = std::make_unique<MetricsStore>("words", stmgr::testing::TestPlan(), "master-host");
  store->SetMasterEndpoint("tcp://10.0.0.1:4000");
  metrics::Report r = Report(1, 10);
  r.stmgr.host = "node-b";
  r.stmgr.endpoint = "tcp://10.0.0.2:5000";
  store->Add(1, r, 0);
  nlohmann::json j = TopologyJson(store->View(kSec));
  EXPECT_EQ(j["master"]["host"], "master-host");
  EXPECT_EQ(j["master"]["endpoint"], "tcp://10.0.0.1:4000");
  const auto& containers = j["physical_plan"]["containers"];
  EXPECT_EQ(containers[0]["host"], "master-host");
  EXPECT_EQ(containers[1]["host"], "node-b");
  EXPECT_EQ(containers[1]["stmgr"]["host"], "node-b");
  EXPECT_EQ(containers[1]["stmgr"]["endpoint"], "tcp://10.0.0.2:5000");
  for (const auto& t : j["physical_plan"]["tasks"]) {
    EXPECT_EQ(t["host"], t["container"] == 1 ? "node-b" : "master-host") << t.dump();
  }
  std::string text = PrometheusText(store->View(kSec));
  EXPECT_NE(text.find("container=\"1\",host=\"node-b\""), std::string::npos) << text;
}

TEST(TopologyJson, HasThePlansMetricsBackpressureAndExceptions) {
  auto store = Filled();
  metrics::Report r = Report(0, 100);
  r.tasks[1].errors = {{1700000000000, "Execute threw: boom"}};
  store->Add(0, r, 0);
  nlohmann::json j = TopologyJson(store->View(kSec));
  EXPECT_EQ(j["name"], "words");
  const auto& components = j["logical_plan"]["components"];
  ASSERT_EQ(components.size(), 2u);
  EXPECT_EQ(components[0]["id"], "src");
  EXPECT_EQ(components[0]["kind"], "spout");
  EXPECT_EQ(components[1]["parallelism"], 3);
  const auto& streams = j["logical_plan"]["streams"];
  ASSERT_EQ(streams.size(), 1u);
  EXPECT_EQ(streams[0]["from"], "src");
  EXPECT_EQ(streams[0]["to"], "sink");
  EXPECT_EQ(streams[0]["grouping"], "shuffle");
  const auto& tasks = j["physical_plan"]["tasks"];
  ASSERT_EQ(tasks.size(), 4u);
  EXPECT_EQ(tasks[1]["task"], 2);
  EXPECT_EQ(tasks[1]["container"], 1);
  EXPECT_EQ(tasks[1]["pid"], 102);
  EXPECT_EQ(tasks[1]["host"], "hostA");
  EXPECT_EQ(tasks[1]["metrics"]["all"]["executed"], 100);
  EXPECT_EQ(j["physical_plan"]["containers"][1]["stmgr"]["pid"], 51);
  EXPECT_FALSE(j.contains("master")) << "no master endpoint was set";
  EXPECT_EQ(j["components"]["sink"]["metrics"]["all"]["executed"], 300);
  EXPECT_EQ(j["backpressure"]["active"], true);
  EXPECT_EQ(j["backpressure"]["culprits"][0], "sink:4");
  ASSERT_EQ(j["exceptions"].size(), 1u);
  EXPECT_EQ(j["exceptions"][0]["task"], 3);
  EXPECT_EQ(j["exceptions"][0]["message"], "Execute threw: boom");
  EXPECT_EQ(j["exceptions"][0]["time_ms"], 1700000000000);
}

TEST(TopologyJson, ErrorsThatAreNotUtf8AreReplacedNotThrown) {
  MetricsStore store("words", stmgr::testing::TestPlan(), "hostA");
  metrics::Report r = Report(0, 1);
  r.tasks[0].errors = {{1, "bad \xff\xfe bytes"}};
  store.Add(0, r, 0);
  std::string text;
  ASSERT_NO_THROW(text = DumpJson(TopologyJson(store.View(0))));
  EXPECT_NE(text.find("bad \xEF\xBF\xBD"), std::string::npos);
  EXPECT_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
}

}  // namespace
}  // namespace gale::tmaster
