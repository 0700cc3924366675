// A Kafka topology run with `gale submit` (two containers, every task its own
// process) against the test broker, with one bolt instance killed by SIGKILL
// mid-run: no record is lost and the consumer group's commits never run ahead
// of what reached the sink.

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "kafka_test_client.h"
#include "support/gale_cluster.h"
#include "support/run_command.h"
#include "test_broker.h"
#include "test_util.h"

namespace gale::testing {
namespace {

using Clock = std::chrono::steady_clock;
using Offset = std::pair<std::int32_t, std::int64_t>;  // (partition, offset)

// What the file sinks wrote so far: complete lines only (a line being
// written while the files are read is left for the next read).
struct SinkView {
  std::map<Offset, std::vector<std::string>> values;  // every value seen per record
  std::size_t lines = 0;
  std::vector<std::string> malformed;
};

SinkView ReadSink(const ScratchDir& dir) {
  SinkView view;
  for (const auto& entry : std::filesystem::directory_iterator(dir.path())) {
    if (entry.path().filename().string().rfind("sink-", 0) != 0) continue;
    std::string text = ReadFile(entry.path().string());
    std::size_t complete = text.rfind('\n');
    if (complete == std::string::npos) continue;
    std::istringstream in(text.substr(0, complete + 1));
    std::string line;
    while (std::getline(in, line)) {
      ++view.lines;
      std::vector<std::string> cols;
      std::istringstream f(line);
      std::string col;
      while (std::getline(f, col, '\t')) cols.push_back(col);
      // topic, partition, offset, key, value
      if (cols.size() != 5 || cols[0] != "events") {
        view.malformed.push_back(line);
        continue;
      }
      view.values[{std::stoi(cols[1]), std::stoll(cols[2])}].push_back(cols[4]);
    }
  }
  return view;
}

// Per partition, the lowest offset the sink has not seen: a commit may go up
// to it and no further (every offset below a commit was acked, and the sink
// writes a record before acking it).
std::map<std::int32_t, std::int64_t> FirstUnseen(const SinkView& view,
                                                 const std::vector<std::int32_t>& partitions) {
  std::map<std::int32_t, std::int64_t> first;
  for (std::int32_t p : partitions) {
    std::int64_t o = 0;
    while (view.values.count({p, o}) > 0) ++o;
    first[p] = o;
  }
  return first;
}

// Reads the group's commits, then the sink, and checks that no commit is
// ahead of the sink. Returns the commits (-1001: none yet).
std::map<std::int32_t, std::int64_t> CheckCommitsBehindSink(KafkaTestClient& kafka,
                                                            const ScratchDir& dir,
                                                            const std::string& group,
                                                            const std::vector<std::int32_t>& parts,
                                                            const char* when) {
  std::map<std::int32_t, std::int64_t> committed = kafka.Committed(group, "events");
  std::map<std::int32_t, std::int64_t> first = FirstUnseen(ReadSink(dir), parts);
  for (const auto& [p, c] : committed) {
    EXPECT_LE(c, first[p]) << when << ": partition " << p << " committed at " << c
                           << " but the sink has not seen offset " << first[p];
  }
  return committed;
}

// The tasks of `component` in the packing file of a submitted topology.
std::vector<int> TasksOf(const Cluster& cluster, const std::string& name,
                         const std::string& component) {
  std::vector<int> tasks;
  std::string packing = ReadFile(cluster.TopologyDir(name) + "/packing");
  std::regex re("task=(\\d+) (\\d+) " + component + "\\b");
  for (auto it = std::sregex_iterator(packing.begin(), packing.end(), re);
       it != std::sregex_iterator(); ++it) {
    tasks.push_back(std::stoi((*it)[1]));
  }
  return tasks;
}

TEST(KafkaCluster, KilledBoltInstanceLosesNoRecordAndCommitsFollowAcks) {
  ScratchDir dir;
  auto broker = TestBroker::Start(kBrokerBin, {"--topic", "events:4"}, dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());

  constexpr int kRecords = 20000;
  std::vector<std::pair<std::optional<std::string>, std::string>> records;
  for (int i = 0; i < kRecords; ++i) {
    records.emplace_back("k" + std::to_string(i), "v" + std::to_string(i));
  }
  ASSERT_TRUE(kafka.Produce("events", records));
  // Where each record landed, to check the values the sink wrote.
  std::map<Offset, std::string> produced;
  for (const KafkaRecord& r : kafka.ReadAll("events")) {
    produced[{r.partition, r.offset}] = r.value.value_or("<null>");
  }
  ASSERT_EQ(produced.size(), static_cast<std::size_t>(kRecords));
  std::map<std::int32_t, std::int64_t> ends = kafka.EndOffsets("events");
  ASSERT_EQ(ends.size(), 4u);
  std::vector<std::int32_t> partitions;
  for (const auto& [p, end] : ends) partitions.push_back(p);

  const std::string name = "kafka-kill";
  const std::string group = "kafka-kill-" + dir.path().filename().string();
  // Bounded spouts make `gale wait` return once every record was read, acked
  // and committed. SlowBolt stretches the run over several seconds; the
  // short message timeout replays what the killed instance lost.
  std::string yaml = R"(name: )" + name + R"(
config:
  topology.workers: 2
  topology.acking: true
  topology.max.spout.pending: 500
  topology.message.timeout.secs: 5
spouts:
  - id: kafka
    className: KafkaSpout
    parallelism: 2
    properties:
      - {name: topic, value: events}
      - {name: group.id, value: ")" + group + R"("}
      - {name: bounded, value: true}
      - {name: offset.commit.period.ms, value: 1000}
      - {name: bootstrap.servers, value: ")" + broker->bootstrap() + R"("}
      - {name: kafka.consumer.session.timeout.ms, value: 6000}
      - {name: kafka.consumer.heartbeat.interval.ms, value: 500}
      - {name: kafka.reconnect.backoff.ms, value: 100}
      - {name: kafka.reconnect.backoff.max.ms, value: 500}
bolts:
  - id: relay
    className: SlowBolt
    parallelism: 2
    properties:
      - {name: fields, value: [topic, partition, offset, key, value]}
      - {name: sleep.us, value: 300}
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties:
      - {name: path, value: ")" + dir.Join("sink-{task}.tsv") + R"("}
streams:
  - {from: kafka, to: relay, grouping: {type: SHUFFLE}}
  - {from: relay, to: sink, grouping: {type: SHUFFLE}}
)";

  Cluster cluster(kGale, dir);
  cluster.Track(name);
  CommandResult submit =
      cluster.Gale("submit " + dir.Write("kafka-kill.yaml", yaml) + " --lib " + kSpoutLib);
  ASSERT_EQ(submit.exit_code, 0) << submit.err << submit.out;
  auto logs = [&] { return cluster.Gale("logs " + name).out; };

  // Task t runs in container (t - 1) % 2; kill the relay task with the
  // lowest id.
  std::vector<int> relay_tasks = TasksOf(cluster, name, "relay");
  ASSERT_EQ(relay_tasks.size(), 2u) << ReadFile(cluster.TopologyDir(name) + "/packing");
  const std::string victim = "pids/task-" + std::to_string(relay_tasks[0]);

  // Let records flow (the first group join on the test broker takes ~3 s).
  auto deadline = Clock::now() + std::chrono::seconds(40);
  std::size_t before_kill = 0;
  while ((before_kill = ReadSink(dir).lines) < 2000) {
    ASSERT_LT(Clock::now(), deadline) << "records did not reach the sink\n" << logs();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  CheckCommitsBehindSink(kafka, dir, group, partitions, "before the kill");
  ASSERT_LT(before_kill, static_cast<std::size_t>(kRecords)) << "the run ended before the kill";

  int pid = cluster.Pid(name, victim);
  ASSERT_GT(pid, 0) << victim;
  ASSERT_EQ(::kill(pid, SIGKILL), 0) << victim;
  deadline = Clock::now() + std::chrono::seconds(20);
  int restarted = 0;
  while ((restarted = cluster.Pid(name, victim)) == pid || restarted == 0) {
    ASSERT_LT(Clock::now(), deadline) << victim << " was not restarted\n" << logs();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(Alive(restarted)) << victim << " pid " << restarted;

  // Until the group committed the end of every partition, each commit seen
  // must be covered by the sink.
  deadline = Clock::now() + std::chrono::seconds(60);
  while (CheckCommitsBehindSink(kafka, dir, group, partitions, "during the run") != ends) {
    ASSERT_FALSE(::testing::Test::HasFailure()) << logs();
    ASSERT_LT(Clock::now(), deadline) << "the group did not commit the end offsets\n"
                                      << cluster.Gale("status " + name).out << logs();
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  CommandResult wait = cluster.Gale("wait " + name + " --timeout 60", 90);
  ASSERT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status " + name).out;
  CommandResult status = cluster.Gale("status " + name + " --json");
  CommandResult kill = cluster.Gale("kill " + name);
  ASSERT_EQ(kill.exit_code, 0) << kill.err;

  // Nothing lost, nothing altered; duplicates are allowed.
  SinkView sink = ReadSink(dir);
  EXPECT_TRUE(sink.malformed.empty()) << sink.malformed.size() << " malformed lines, first: "
                                      << sink.malformed.front();
  std::size_t missing = 0, wrong = 0;
  for (const auto& [at, value] : produced) {
    auto it = sink.values.find(at);
    if (it == sink.values.end()) {
      if (++missing <= 5) ADD_FAILURE() << "offset " << at.first << "/" << at.second << " lost";
      continue;
    }
    for (const std::string& seen : it->second) {
      if (seen != value && ++wrong <= 5) {
        ADD_FAILURE() << "offset " << at.first << "/" << at.second << ": sink wrote '" << seen
                      << "', produced '" << value << "'";
      }
    }
  }
  EXPECT_EQ(missing, 0u) << "of " << kRecords;
  EXPECT_EQ(wrong, 0u);
  EXPECT_EQ(sink.values.size(), produced.size()) << "the sink saw offsets never produced";
  EXPECT_GE(sink.lines, static_cast<std::size_t>(kRecords));

  // The commits are the end offsets and not beyond what the sink saw.
  std::map<std::int32_t, std::int64_t> committed =
      CheckCommitsBehindSink(kafka, dir, group, partitions, "after the run");
  EXPECT_EQ(committed, ends);
  std::map<std::int32_t, std::int64_t> max_seen;
  for (const auto& [at, values] : sink.values) {
    max_seen[at.first] = std::max(max_seen[at.first], at.second);
  }
  for (const auto& [p, c] : committed) {
    EXPECT_LE(c, max_seen[p] + 1) << "partition " << p;
  }

  // Every record's tree completed: those the kill lost (if the victim held
  // any at that moment; it may have held none) timed out and were replayed.
  EXPECT_GE(JsonComponentField(status.out, "kafka", "acked"), kRecords) << status.out;
  EXPECT_EQ(JsonComponentField(status.out, "kafka", "pending"), 0) << status.out;
  EXPECT_EQ(broker->Stop(), 0);
}

// With acking off nothing replays a record, so what is dropped must show in
// `gale status`: tombstones the spout skips, and tuples KafkaBolt cannot
// produce (larger than its message.max.bytes), which it fails.
TEST(KafkaCluster, DroppedRecordsWithAckingOffShowInStatus) {
  ScratchDir dir;
  auto broker =
      TestBroker::Start(kBrokerBin, {"--topic", "events:2", "--topic", "copied:1"},
                        dir.Join("broker.err"));
  ASSERT_NE(broker, nullptr);
  KafkaTestClient kafka(broker->bootstrap());
  std::vector<KeyValue> records;
  for (int i = 0; i < 30; ++i) records.push_back({"k" + std::to_string(i), "v" + std::to_string(i)});
  for (int i = 0; i < 5; ++i) records.push_back({"t" + std::to_string(i), std::nullopt});
  for (int i = 0; i < 4; ++i) records.push_back({"b" + std::to_string(i), std::string(3000, 'b')});
  ASSERT_TRUE(kafka.ProduceRecords("events", records));

  const std::string name = "kafka-dropped";
  const std::string group = "kafka-dropped-" + dir.path().filename().string();
  std::string yaml = R"(name: )" + name + R"(
config:
  topology.workers: 1
  topology.acking: false
spouts:
  - id: kafka
    className: KafkaSpout
    properties:
      - {name: topic, value: events}
      - {name: group.id, value: ")" + group + R"("}
      - {name: bounded, value: true}
      - {name: tombstones, value: skip}
      - {name: bootstrap.servers, value: ")" + broker->bootstrap() + R"("}
bolts:
  - id: out
    className: KafkaBolt
    config:
      topology.tick.tuple.freq.secs: 0.2
    properties:
      - {name: topic, value: copied}
      - {name: key.field, value: key}
      - {name: bootstrap.servers, value: ")" + broker->bootstrap() + R"("}
      - {name: kafka.producer.message.max.bytes, value: 1000}
streams:
  - {from: kafka, to: out, grouping: {type: SHUFFLE}}
)";
  Cluster cluster(kGale, dir);
  cluster.Track(name);
  CommandResult submit = cluster.Gale("submit " + dir.Write("dropped.yaml", yaml) + " --lib " +
                                      kSpoutLib + " --lib " + kBoltLib);
  ASSERT_EQ(submit.exit_code, 0) << submit.err << submit.out;
  CommandResult wait = cluster.Gale("wait " + name + " --timeout 90", 120);
  ASSERT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status " + name).out
                               << cluster.Gale("logs " + name).out;

  std::string json = cluster.Gale("status " + name + " --json").out;
  EXPECT_NE(json.find("\"dropped\":"), std::string::npos) << json;
  EXPECT_EQ(JsonComponentField(json, "kafka", "dropped"), 5) << json;
  EXPECT_EQ(JsonComponentField(json, "kafka", "emitted"), 34) << json;
  EXPECT_EQ(JsonComponentField(json, "out", "dropped"), 4) << json;
  EXPECT_EQ(JsonComponentField(json, "out", "failed"), 4) << json;
  std::string text = cluster.Gale("status " + name).out;
  EXPECT_NE(text.find("dropped (not replayed; see the logs for why): kafka 5, out 4"),
            std::string::npos)
      << text;
  std::string logs = cluster.Gale("logs " + name).out;
  EXPECT_NE(logs.find("it is dropped and counted in 'dropped'"), std::string::npos) << logs;
  CommandResult kill = cluster.Gale("kill " + name);
  ASSERT_EQ(kill.exit_code, 0) << kill.err;

  EXPECT_EQ(kafka.ReadAll("copied").size(), 30u);
  EXPECT_EQ(kafka.Committed(group, "events"), kafka.EndOffsets("events"));
  EXPECT_EQ(broker->Stop(), 0);
}

}  // namespace
}  // namespace gale::testing
