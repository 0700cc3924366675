// Per-stream counts and per-task queue depths, end to end: a bolt that
// sends even ids on "default" and odd ones on "odd" to two file sinks; its
// per-stream counts add up to its task totals and match what each sink
// wrote, in the REST JSON (per task, per component, per edge) and in
// /metrics (which promtool accepts). A slow bolt's backlog shows as its
// queue depth, in a submitted topology and under `gale local`.

#include <gtest/gtest.h>
#include <httplib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>

#include "../kafka/child_process.h"
#include "metrics_text.h"
#include "support/gale_cluster.h"
#include "support/run_command.h"

namespace gale {
namespace {

using nlohmann::json;
using testing::ChildProcess;
using testing::Cluster;
using testing::CommandResult;
using testing::ReadFile;
using testing::ScratchDir;
using testing::SumOf;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_TEST_PLUGIN;
constexpr int kIds = 1000;

std::string ParityYaml(const std::string &dir) {
  return R"(name: parity
config:
  topology.workers: 2
spouts:
  - id: ids
    className: SequenceSpout
    properties:
      - {name: count, value: )" +
         std::to_string(kIds) + R"(}
bolts:
  - {id: parity, className: OddEvenBolt, parallelism: 2}
  - id: evens
    className: FileSinkBolt
    properties:
      - {name: path, value: ")" +
         dir + R"(/evens-{task}.txt"}
  - id: odds
    className: FileSinkBolt
    parallelism: 2
    properties:
      - {name: path, value: ")" +
         dir + R"(/odds-{task}.txt"}
streams:
  - {from: ids, to: parity, grouping: {type: SHUFFLE}}
  - {from: parity, to: evens, grouping: {type: SHUFFLE}}
  - {from: parity, to: odds, grouping: {type: SHUFFLE, streamId: odd}}
)";
}

// An endless spout into a bolt that takes 1 ms a tuple: its input queue
// fills up to what max.spout.pending and backpressure allow.
const char *kSlowYaml = R"(name: backlog
config:
  topology.max.spout.pending: 5000
spouts:
  - id: numbers
    className: SequenceSpout
    properties:
      - {name: count, value: 100000000}
bolts:
  - id: slow
    className: SlowBolt
    properties:
      - {name: sleep.ms, value: 1}
streams:
  - {from: numbers, to: slow, grouping: {type: SHUFFLE}}
)";

// Lines in the files of `dir` whose names start with `prefix`.
int LinesIn(const std::string &dir, const std::string &prefix) {
  int lines = 0;
  for (const auto &entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().filename().string().rfind(prefix, 0) != 0)
      continue;
    std::ifstream in(entry.path());
    for (std::string line; std::getline(in, line);)
      ++lines;
  }
  return lines;
}

std::uint64_t Count(const json &metrics, const char *window,
                    const char *field) {
  const json &w = metrics[window];
  return w.is_object() && w[field].is_number() ? w[field].get<std::uint64_t>()
                                               : 0;
}

// The entry of `list` (outputs or inputs) for `component` and `stream`.
const json *StreamEntry(const json &list, const std::string &component,
                        const std::string &stream) {
  for (const json &e : list) {
    if (e["stream"] == stream &&
        (!e.contains("component") || e["component"] == component)) {
      return &e;
    }
  }
  return nullptr;
}

// Inputs of a component's streams ("inputs"), by "source:stream", all time.
std::uint64_t ComponentInput(const json &t, const std::string &component,
                             const std::string &source,
                             const std::string &stream, const char *field) {
  const json *e = StreamEntry(t["components"][component]["streams"]["inputs"],
                              source, stream);
  return e == nullptr ? 0 : Count((*e)["metrics"], "all", field);
}

std::unique_ptr<httplib::Client> ClientFor(const std::string &url) {
  std::smatch m;
  if (!std::regex_match(url, m, std::regex(R"(^http://127\.0\.0\.1:(\d+)$)")))
    return nullptr;
  auto client = std::make_unique<httplib::Client>("127.0.0.1", std::stoi(m[1]));
  client->set_read_timeout(10, 0);
  return client;
}

std::string Get(httplib::Client &client, const std::string &path) {
  auto r = client.Get(path.c_str());
  return r && r->status == 200 ? r->body : "";
}

// Submits `yaml` (with the test plugin) and returns the master's HTTP URL.
std::string SubmitAndFindHttp(Cluster &cluster, const ScratchDir &dir,
                              const std::string &name,
                              const std::string &yaml) {
  cluster.Track(name);
  CommandResult submit = cluster.Gale("submit --lib " + kPlugin + " " +
                                      dir.Write(name + ".yaml", yaml));
  EXPECT_EQ(submit.exit_code, 0) << submit.err;
  if (submit.exit_code != 0)
    return "";
  std::string url;
  EXPECT_TRUE(WaitUntil(
      [&] {
        CommandResult r = cluster.Gale("status " + name + " --json");
        json j = json::parse(r.out, nullptr, false);
        if (r.exit_code != 0 || j.is_discarded() || !j["http"].is_string())
          return false;
        url = j["http"];
        return true;
      },
      60))
      << cluster.Gale("status " + name).out;
  return url;
}

TEST(StreamMetrics, PerStreamCountsAddUpToTheTaskTotalsAndMatchTheSinks) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  const std::string sinks = dir.Join("sinks");
  std::filesystem::create_directories(sinks);
  const std::string url =
      SubmitAndFindHttp(cluster, dir, "parity", ParityYaml(sinks));
  ASSERT_FALSE(url.empty());
  auto client = ClientFor(url);
  ASSERT_NE(client, nullptr) << url;

  // Every id went through (replays would only add to both sides), and the
  // master's counts caught up with what the sinks wrote.
  json t;
  int evens = 0, odds = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        evens = LinesIn(sinks, "evens-");
        odds = LinesIn(sinks, "odds-");
        t = json::parse(Get(*client, "/api/v1/topologies/parity"), nullptr,
                        false);
        if (t.is_discarded() || evens < kIds / 2 || odds < kIds / 2)
          return false;
        return ComponentInput(t, "evens", "parity", "default", "executed") ==
                   static_cast<std::uint64_t>(evens) &&
               ComponentInput(t, "odds", "parity", "odd", "executed") ==
                   static_cast<std::uint64_t>(odds) &&
               Count(t["components"]["ids"]["metrics"], "all", "acked") >=
                   static_cast<std::uint64_t>(kIds) &&
               Count(t["components"]["parity"]["metrics"], "all", "emitted") ==
                   static_cast<std::uint64_t>(evens + odds);
      },
      90))
      << "evens " << evens << ", odds " << odds << "\n"
      << t.dump(2);

  // Per task: the streams add up to the task's totals.
  int parity_tasks = 0;
  std::uint64_t default_emitted = 0, odd_emitted = 0;
  for (const json &task : t["physical_plan"]["tasks"]) {
    const json &streams = task["streams"];
    std::uint64_t emitted = 0, transferred = 0, executed = 0, acked = 0;
    for (const json &o : streams["outputs"]) {
      emitted += Count(o["metrics"], "all", "emitted");
      transferred += Count(o["metrics"], "all", "transferred");
    }
    for (const json &i : streams["inputs"]) {
      executed += Count(i["metrics"], "all", "executed");
      acked += Count(i["metrics"], "all", "acked");
    }
    const json &totals = task["metrics"];
    EXPECT_EQ(emitted, Count(totals, "all", "emitted")) << task.dump(2);
    EXPECT_EQ(transferred, Count(totals, "all", "transferred")) << task.dump(2);
    if (task["component"] == "ids")
      continue; // a spout's acks are trees
    EXPECT_EQ(executed, Count(totals, "all", "executed")) << task.dump(2);
    EXPECT_EQ(acked, Count(totals, "all", "acked")) << task.dump(2);
    if (task["component"] != "parity")
      continue;
    ++parity_tasks;
    ASSERT_EQ(streams["outputs"].size(), 2u) << streams.dump(2);
    default_emitted +=
        Count((*StreamEntry(streams["outputs"], "", "default"))["metrics"],
              "all", "emitted");
    odd_emitted +=
        Count((*StreamEntry(streams["outputs"], "", "odd"))["metrics"], "all",
              "emitted");
    ASSERT_EQ(streams["inputs"].size(), 1u);
    EXPECT_EQ(streams["inputs"][0]["component"], "ids");
  }
  EXPECT_EQ(parity_tasks, 2);
  EXPECT_EQ(default_emitted, static_cast<std::uint64_t>(evens));
  EXPECT_EQ(odd_emitted, static_cast<std::uint64_t>(odds));
  // Each sink executed only its own stream.
  EXPECT_EQ(t["components"]["evens"]["streams"]["inputs"].size(), 1u);
  EXPECT_EQ(ComponentInput(t, "odds", "parity", "odd", "acked"),
            static_cast<std::uint64_t>(odds));
  // The edges of the logical plan carry their stream's counts.
  for (const json &edge : t["logical_plan"]["streams"]) {
    if (edge["from"] != "parity")
      continue;
    const int sink_lines = edge["to"] == "evens" ? evens : odds;
    EXPECT_EQ(edge["stream"], edge["to"] == "evens" ? "default" : "odd");
    EXPECT_EQ(Count(edge["metrics"], "all", "executed"),
              static_cast<std::uint64_t>(sink_lines))
        << edge.dump(2);
    EXPECT_EQ(Count(edge["metrics"], "all", "emitted"),
              static_cast<std::uint64_t>(sink_lines))
        << edge.dump(2);
  }

  // `gale status --json` has the same per-stream counts, from the files.
  json status;
  EXPECT_TRUE(WaitUntil(
      [&] {
        status = json::parse(cluster.Gale("status parity --json").out, nullptr,
                             false);
        if (status.is_discarded())
          return false;
        for (const json &c : status["components"]) {
          if (c["id"] != "parity")
            continue;
          const json *odd = StreamEntry(c["streams"]["outputs"], "", "odd");
          const json *in =
              StreamEntry(c["streams"]["inputs"], "ids", "default");
          return odd != nullptr && in != nullptr && (*odd)["emitted"] == odds &&
                 (*in)["executed"] == evens + odds &&
                 c["emitted"] == evens + odds;
        }
        return false;
      },
      30))
      << status.dump(2);

  // /metrics: one series per stream, the same counts; promtool accepts it.
  const std::string text = Get(*client, "/metrics");
  // (component="parity" is not source_component="parity": metrics_text.h.)
  EXPECT_EQ(SumOf(text, "gale_tuples_emitted_total", "component=\"parity\""),
            evens + odds);
  EXPECT_EQ(SumOf(text, "gale_tuples_emitted_total", "stream=\"odd\""), odds);
  // One subscriber per stream: every tuple went to one task.
  EXPECT_EQ(
      SumOf(text, "gale_tuples_transferred_total", "component=\"parity\""),
      evens + odds);
  EXPECT_EQ(SumOf(text, "gale_tuples_executed_total",
                  "source_component=\"parity\",stream=\"odd\""),
            odds);
  EXPECT_EQ(SumOf(text, "gale_tuples_executed_total", "component=\"evens\""),
            SumOf(text, "gale_tuples_executed_total",
                  "source_component=\"parity\",stream=\"default\""));
  EXPECT_EQ(
      SumOf(text, "gale_tuples_executed_total", "component=\"parity\""),
      SumOf(text, "gale_tuples_executed_total", "source_component=\"ids\""));
  EXPECT_TRUE(std::regex_search(
      text,
      std::regex(
          R"(gale_task_queue_depth\{topology="parity",component="odds",task="\d+",)"
          R"(container="\d",host="[^"]+"\} 0)")))
      << text;
  const std::string file = dir.Write("metrics.txt", text);
  CommandResult check =
      testing::RunCommand("promtool check metrics < " + file, dir, 60);
  EXPECT_EQ(check.exit_code, 0) << check.out << check.err;
  EXPECT_EQ(check.out + check.err, "") << "promtool complained";
}

// The slow bolt's queue depth, as /metrics and the JSON give it.
void ExpectABacklog(httplib::Client &client, const std::string &topology) {
  std::string text;
  double depth = 0;
  ASSERT_TRUE(WaitUntil(
      [&] {
        text = Get(client, "/metrics");
        depth = SumOf(text, "gale_task_queue_depth", "component=\"slow\"");
        return depth > 0;
      },
      60))
      << text;
  json t;
  ASSERT_TRUE(WaitUntil(
      [&] {
        t = json::parse(Get(client, "/api/v1/topologies/" + topology), nullptr,
                        false);
        if (t.is_discarded())
          return false;
        for (const json &task : t["physical_plan"]["tasks"]) {
          if (task["component"] == "slow" && task["queue_depth"].is_number() &&
              task["queue_depth"].get<double>() > 0) {
            return true;
          }
        }
        return false;
      },
      60))
      << t.dump(2);
}

TEST(StreamMetrics, ASlowBoltsBacklogShowsAsItsQueueDepthInASubmittedTopology) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  const std::string url = SubmitAndFindHttp(cluster, dir, "backlog", kSlowYaml);
  auto client = ClientFor(url);
  ASSERT_NE(client, nullptr) << url;
  ExpectABacklog(*client, "backlog");
}

TEST(StreamMetrics, ASlowBoltsBacklogShowsAsItsQueueDepthUnderGaleLocal) {
  ScratchDir dir;
  auto gale = ChildProcess::Start(
      {{kGale, "local", dir.Write("backlog.yaml", kSlowYaml), "--http", "0",
        "--quiet"},
       false,
       false,
       "",
       dir.Join("err")});
  ASSERT_NE(gale, nullptr);
  std::smatch m;
  std::string err;
  ASSERT_TRUE(WaitUntil(
      [&] {
        err = ReadFile(dir.Join("err"));
        return std::regex_search(
            err, m, std::regex(R"(serving (http://127\.0\.0\.1:\d+) )"));
      },
      30))
      << err;
  auto client = ClientFor(m[1]);
  ASSERT_NE(client, nullptr);
  ExpectABacklog(*client, "backlog");
}

} // namespace
} // namespace gale
