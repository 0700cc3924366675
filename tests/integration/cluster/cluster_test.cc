// Runs topologies with `gale submit` as real processes (scheduler, topology
// master, executors, stream managers, instances) and checks their results,
// their lifecycle and their recovery from SIGKILL.

#include <signal.h>
#include <unistd.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "executor/cpu_pinning.h"
#include "support/gale_cluster.h"
#include "support/word_count.h"

namespace gale {
namespace {

using testing::Alive;
using testing::JsonComponentField;
using testing::JsonNumbers;
using testing::JsonStrings;
using testing::KillAndWaitForRestart;
using testing::ReadFile;
using testing::ReadLines;
using testing::ScratchDir;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_TEST_PLUGIN;

TEST(Cluster, BoundedWordCountOverTwoContainersMatchesReference) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  testing::WordCountInput in = testing::RandomLines(11, 3000, 10, "k", 80);
  std::string yaml = testing::FileWordCountYaml("cluster-wc", dir.Write("in.txt", in.text),
                                                dir.Join("counts-{task}.tsv"), 3);
  cluster.Track("cluster-wc");
  auto submit = cluster.Gale("submit " + dir.Write("wc.yaml", yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  auto wait = cluster.Gale("wait cluster-wc --timeout 60");
  ASSERT_EQ(wait.exit_code, 0) << wait.err;
  auto kill = cluster.Gale("kill cluster-wc");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;

  EXPECT_EQ(testing::SinkCounts(dir, "counts-"), in.reference);
}

// The stream managers of one host send to each other over their Unix
// sockets, or over TCP with CURVE when transport.unix.peers is off; the
// word count is exact either way.
TEST(Cluster, StreamManagersOfOneHostLinkOverUnixSocketsOrTcp) {
  for (const bool unix_peers : {true, false}) {
    SCOPED_TRACE(unix_peers ? "unix" : "tcp");
    ScratchDir dir;
    testing::Cluster cluster(kGale, dir);
    testing::WordCountInput in = testing::RandomLines(12, 3000, 10, "k", 80);
    std::string yaml = testing::FileWordCountYaml("peers-wc", dir.Write("in.txt", in.text),
                                                  dir.Join("counts-{task}.tsv"), 3);
    cluster.Track("peers-wc");
    auto submit = cluster.Gale("submit " + dir.Write("wc.yaml", yaml) +
                               (unix_peers ? "" : " -c transport.unix.peers=false"));
    ASSERT_EQ(submit.exit_code, 0) << submit.err;
    auto wait = cluster.Gale("wait peers-wc --timeout 60");
    ASSERT_EQ(wait.exit_code, 0) << wait.err;
    std::string logs;
    for (int c = 0; c < 2; ++c) {
      logs += ReadFile(cluster.TopologyDir("peers-wc") + "/logs/stmgr-" + std::to_string(c) +
                       ".log");
    }
    auto kill = cluster.Gale("kill peers-wc");
    ASSERT_EQ(kill.exit_code, 0) << kill.err;

    EXPECT_EQ(testing::SinkCounts(dir, "counts-"), in.reference);
    const std::regex peer_line(
        "peer container [01] at tcp://\\S+( \\(this host: Unix socket\\))?");
    std::size_t links = 0;
    std::size_t unix_links = 0;
    for (auto it = std::sregex_iterator(logs.begin(), logs.end(), peer_line);
         it != std::sregex_iterator(); ++it) {
      ++links;
      if ((*it)[1].matched) ++unix_links;
    }
    EXPECT_GE(links, 2u) << logs;
    EXPECT_EQ(unix_links, unix_peers ? links : 0u) << logs;
  }
}

// The CPUs a process may run on, as /proc/PID/status lists them.
std::string CpusAllowed(int pid) {
  std::istringstream in(ReadFile("/proc/" + std::to_string(pid) + "/status"));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Cpus_allowed_list:", 0) == 0) {
      return line.substr(line.find_first_not_of(" \t", sizeof "Cpus_allowed_list:" - 1));
    }
  }
  return "";
}

// With container.cpu.pinning every process of a container (its executor,
// stream manager and instances, restarted ones too) runs on the container's
// share of the CPUs; without it, on all of them. The word count stays exact.
TEST(Cluster, CpuPinningPutsEachContainersProcessesOnItsShareOfTheCpus) {
  auto allowed = executor::AllowedCpus();
  ASSERT_TRUE(allowed.ok()) << allowed.status().message();
  const std::string all = executor::CpuListString(*allowed);
  for (const bool pinning : {true, false}) {
    SCOPED_TRACE(pinning ? "pinned" : "not pinned");
    ScratchDir dir;
    testing::Cluster cluster(kGale, dir);
    testing::WordCountInput in = testing::RandomLines(13, 3000, 10, "k", 80);
    std::string yaml = testing::FileWordCountYaml("pin-wc", dir.Write("in.txt", in.text),
                                                  dir.Join("counts-{task}.tsv"), 3);
    cluster.Track("pin-wc");
    auto submit = cluster.Gale("submit " + dir.Write("wc.yaml", yaml) +
                               (pinning ? " -c container.cpu.pinning=true" : ""));
    ASSERT_EQ(submit.exit_code, 0) << submit.err;
    auto wait = cluster.Gale("wait pin-wc --timeout 60");
    ASSERT_EQ(wait.exit_code, 0) << wait.err;
    // Tasks 1-7 (2 lines, 2 split, 3 count); task t runs in container (t-1) % 2.
    auto expect_cpus = [&](const std::string& key, int container) {
      int pid = cluster.Pid("pin-wc", key);
      ASSERT_GT(pid, 0) << key;
      std::string want = pinning ? executor::CpuListString(
                                       executor::ContainerCpus(*allowed, container, 2))
                                 : all;
      EXPECT_EQ(CpusAllowed(pid), want) << key;
    };
    for (int c = 0; c < 2; ++c) expect_cpus("pids/stmgr-" + std::to_string(c), c);
    for (int t = 1; t <= 7; ++t) expect_cpus("pids/task-" + std::to_string(t), (t - 1) % 2);
    // A restarted instance is pinned like the one it replaces.
    KillAndWaitForRestart(cluster, "pin-wc", "pids/task-3");
    expect_cpus("pids/task-3", 0);
    std::string executor_log = ReadFile(cluster.TopologyDir("pin-wc") + "/logs/executor-0.log");
    EXPECT_EQ(executor_log.find("pinned to CPUs") != std::string::npos, pinning) << executor_log;
    auto kill = cluster.Gale("kill pin-wc");
    ASSERT_EQ(kill.exit_code, 0) << kill.err;
    EXPECT_EQ(testing::SinkCounts(dir, "counts-"), in.reference);
  }
}

TEST(Cluster, AtLeastOnceWhenABoltAStreamManagerAndTheMasterAreKilled) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  constexpr int kCount = 50000;
  std::string yaml = R"(name: faults
config:
  topology.workers: 2
  topology.message.timeout.secs: 3
  topology.max.spout.pending: 2000
spouts:
  - id: ids
    className: RecordingSpout
    properties:
      - {name: count, value: )" + std::to_string(kCount) + R"(}
      - {name: out, value: ")" + dir.Join("spout.tsv") + R"("}
bolts:
  - id: relay
    className: SlowBolt
    parallelism: 2
    properties: [{name: sleep.us, value: 150}]
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties: [{name: path, value: ")" + dir.Join("sink.tsv") + R"("}]
streams:
  - {from: ids, to: relay, grouping: {type: SHUFFLE}}
  - {from: relay, to: sink, grouping: {type: SHUFFLE}}
)";
  cluster.Track("faults");
  auto submit = cluster.Gale("submit " + dir.Write("faults.yaml", yaml) + " --lib " + kPlugin);
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  // Tasks: 1 ids, 2-3 relay, 4-5 sink; task t runs in container (t-1) % 2.
  auto kill_and_wait = [&](const std::string& key) {
    std::this_thread::sleep_for(std::chrono::milliseconds(700));
    KillAndWaitForRestart(cluster, "faults", key);
  };
  kill_and_wait("pids/task-2");
  kill_and_wait("pids/stmgr-1");
  kill_and_wait("tmaster");
  auto wait = cluster.Gale("wait faults --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status faults").out;
  auto status = cluster.Gale("status faults --json");
  auto kill = cluster.Gale("kill faults");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;

  std::set<std::int64_t> seen;
  for (const std::string& line : ReadLines(dir, "sink.tsv")) seen.insert(std::stoll(line));
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCount));
  std::istringstream in(ReadFile(dir.Join("spout.tsv")));
  std::int64_t id;
  int acks, fails, emits;
  int rows = 0;
  std::uint64_t replays = 0;
  while (in >> id >> acks >> fails >> emits) {
    ++rows;
    EXPECT_EQ(acks, 1) << "id " << id;
    replays += static_cast<std::uint64_t>(emits - 1);
  }
  EXPECT_EQ(rows, kCount);
  // Killing a relay instance loses the tuples in its pipe: some trees time out.
  EXPECT_GT(replays, 0u) << status.out;
}

TEST(Cluster, LifecycleSubmitStatusDeactivateActivateKill) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  std::string yaml = R"(name: life
config:
  topology.workers: 2
  topology.max.spout.pending: 500
spouts:
  - {id: sentences, className: RandomSentenceSpout}
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 2}
  - {id: count, className: WordCountBolt, parallelism: 2}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
  - {from: split, to: count, grouping: {type: FIELDS, args: [word]}}
)";
  cluster.Track("life");
  std::string file = dir.Write("life.yaml", yaml);
  auto submit = cluster.Gale("submit " + file);
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  // A second submit of the same topology is refused.
  auto again = cluster.Gale("submit " + file);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already running"), std::string::npos) << again.err;
  // Only one topology master may be live.
  auto second_master = cluster.Gale("_tmaster life", 20);
  EXPECT_EQ(second_master.exit_code, 4) << second_master.err;
  EXPECT_NE(second_master.err.find("another topology master"), std::string::npos);

  auto list = cluster.Gale("list");
  EXPECT_NE(list.out.find("life"), std::string::npos);
  EXPECT_NE(list.out.find("running"), std::string::npos);

  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  auto status = cluster.Gale("status life --json");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  std::vector<std::uint64_t> pids = JsonNumbers(status.out, "pid");
  // executors 2, stmgrs 2, instances 5, tmaster 1
  EXPECT_EQ(pids.size(), 10u) << status.out;
  for (std::uint64_t pid : pids) EXPECT_TRUE(Alive(static_cast<int>(pid))) << pid << "\n" << status.out;
  for (const char* role : {"\"role\":\"tmaster\"", "\"role\":\"stmgr\"", "\"role\":\"instance\"",
                           "\"role\":\"executor\"", "\"component\":\"split\"",
                           "\"parallelism\":2", "\"state\":\"running\""}) {
    EXPECT_NE(status.out.find(role), std::string::npos) << role << "\n" << status.out;
  }
  EXPECT_GT(JsonComponentField(status.out, "sentences", "emitted"), 0);
  // Every process names its host; the master and the stream managers the
  // loopback endpoint they serve (no cluster file), as their records say.
  char hostname[256] = {};
  ASSERT_EQ(gethostname(hostname, sizeof hostname - 1), 0);
  EXPECT_EQ(JsonStrings(status.out, "host"),
            std::vector<std::string>(pids.size(), hostname)) << status.out;
  std::vector<std::string> endpoints = JsonStrings(status.out, "endpoint");
  ASSERT_EQ(endpoints.size(), 3u) << status.out;
  std::string recorded = ReadFile(cluster.TopologyDir("life") + "/alive/tmaster") +
                         ReadFile(cluster.TopologyDir("life") + "/alive/stmgr-0") +
                         ReadFile(cluster.TopologyDir("life") + "/alive/stmgr-1");
  for (const std::string& e : endpoints) {
    EXPECT_TRUE(std::regex_match(e, std::regex("127\\.0\\.0\\.1:\\d+"))) << e;
    EXPECT_NE(recorded.find("endpoint=tcp://" + e + "\n"), std::string::npos) << e << recorded;
  }
  auto text_status = cluster.Gale("status life");
  EXPECT_NE(text_status.out.find(endpoints[0]), std::string::npos) << text_status.out;

  ASSERT_EQ(cluster.Gale("deactivate life").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  double before = JsonComponentField(cluster.Gale("status life --json").out, "sentences",
                                            "emitted");
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  double after = JsonComponentField(cluster.Gale("status life --json").out, "sentences",
                                           "emitted");
  EXPECT_EQ(before, after) << "spouts kept emitting while deactivated";

  ASSERT_EQ(cluster.Gale("activate life").exit_code, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(2500));
  double resumed = JsonComponentField(cluster.Gale("status life --json").out, "sentences",
                                             "emitted");
  EXPECT_GT(resumed, after);

  auto logs = cluster.Gale("logs life --component split");
  EXPECT_EQ(logs.exit_code, 0);
  EXPECT_NE(logs.out.find("started"), std::string::npos) << logs.out;

  auto kill = cluster.Gale("kill life --wait 5");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  for (std::uint64_t pid : pids) EXPECT_FALSE(Alive(static_cast<int>(pid))) << pid;
  EXPECT_FALSE(std::filesystem::exists(cluster.TopologyDir("life")));
}

TEST(Cluster, InvalidTopologyStartsNothing) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  std::string yaml = "name: broken\nspouts:\n  - id: s\n    className: SequenceSpout\n"
                     "    parallelism: 0\n";
  auto submit = cluster.Gale("submit " + dir.Write("broken.yaml", yaml));
  EXPECT_EQ(submit.exit_code, 2);
  EXPECT_NE(submit.err.find("broken.yaml:5:"), std::string::npos) << submit.err;
  EXPECT_FALSE(std::filesystem::exists(cluster.TopologyDir("broken")));
}

TEST(Cluster, TaskThatCannotStartFailsTheSubmitAndLeavesNothing) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  std::string yaml = R"(name: nostart
spouts:
  - {id: ids, className: SequenceSpout, properties: [{name: count, value: 10}]}
bolts:
  - id: sink
    className: FileSinkBolt
    properties: [{name: path, value: "/nonexistent-dir/out.tsv"}]
streams:
  - {from: ids, to: sink, grouping: {type: SHUFFLE}}
)";
  cluster.Track("nostart");
  auto submit = cluster.Gale("submit " + dir.Write("nostart.yaml", yaml));
  EXPECT_EQ(submit.exit_code, 1);
  EXPECT_NE(submit.err.find("/nonexistent-dir/out.tsv"), std::string::npos) << submit.err;
  EXPECT_FALSE(std::filesystem::exists(cluster.TopologyDir("nostart")));
}

}  // namespace
}  // namespace gale

namespace gale {
namespace {

TEST(Cluster, LocalOrShufflePrefersTasksInTheSameContainer) {
  testing::ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  // Task 1 (the spout) and task 3 run in container 0, task 2 in container 1.
  std::string yaml = R"(name: local-pref
config:
  topology.workers: 2
spouts:
  - {id: ids, className: SequenceSpout, properties: [{name: count, value: 500}]}
bolts:
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties: [{name: path, value: ")" + dir.Join("sink-{task}.tsv") + R"("}]
streams:
  - {from: ids, to: sink, grouping: {type: LOCAL_OR_SHUFFLE}}
)";
  cluster.Track("local-pref");
  auto submit = cluster.Gale("submit " + dir.Write("local.yaml", yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  ASSERT_EQ(cluster.Gale("wait local-pref --timeout 60").exit_code, 0);
  ASSERT_EQ(cluster.Gale("kill local-pref").exit_code, 0);
  EXPECT_EQ(testing::ReadLines(dir, "sink-3.tsv").size(), 500u);
  EXPECT_TRUE(testing::ReadLines(dir, "sink-2.tsv").empty());
}

}  // namespace
}  // namespace gale

namespace gale {
namespace {

TEST(Cluster, KillingAnExecutorTakesItsContainerDownAndTheSchedulerRestartsIt) {
  testing::ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  constexpr int kCount = 20000;
  std::string yaml = R"(name: exec-kill
config:
  topology.workers: 2
  topology.message.timeout.secs: 3
  topology.max.spout.pending: 1000
spouts:
  - {id: ids, className: SequenceSpout, properties: [{name: count, value: )" +
                     std::to_string(kCount) + R"(}]}
bolts:
  - id: relay
    className: SlowBolt
    parallelism: 2
    properties: [{name: sleep.us, value: 200}]
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties: [{name: path, value: ")" + dir.Join("sink.tsv") + R"("}]
streams:
  - {from: ids, to: relay, grouping: {type: SHUFFLE}}
  - {from: relay, to: sink, grouping: {type: SHUFFLE}}
)";
  cluster.Track("exec-kill");
  auto submit = cluster.Gale("submit " + dir.Write("exec.yaml", yaml));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  std::this_thread::sleep_for(std::chrono::milliseconds(800));
  // Container 1 runs the stream manager stmgr-1 and tasks 2 and 4.
  int executor = cluster.Pid("exec-kill", "pids/executor-1");
  std::vector<int> container = {cluster.Pid("exec-kill", "pids/stmgr-1"),
                                cluster.Pid("exec-kill", "pids/task-2"),
                                cluster.Pid("exec-kill", "pids/task-4")};
  ASSERT_GT(executor, 0);
  ASSERT_EQ(::kill(executor, SIGKILL), 0);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  for (int pid : container) {
    ASSERT_GT(pid, 0);
    while (Alive(pid)) {
      ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "pid " << pid << " outlived its executor";
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  while (cluster.Pid("exec-kill", "pids/executor-1") == executor) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "executor-1 was not restarted";
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  auto wait = cluster.Gale("wait exec-kill --timeout 90");
  EXPECT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status exec-kill").out;
  ASSERT_EQ(cluster.Gale("kill exec-kill").exit_code, 0);
  std::set<std::int64_t> seen;
  for (const std::string& line : testing::ReadLines(dir, "sink.tsv")) seen.insert(std::stoll(line));
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kCount));
}

}  // namespace
}  // namespace gale

namespace gale {
namespace {

TEST(Cluster, SubmitsATopologyBuiltInCpp) {
  testing::ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  cluster.Track("cpp-sequence");
  auto submit = cluster.Gale("submit --topology cpp-sequence --lib " + kPlugin +
                             " -c topology.workers=2 -c path=" + dir.Join("sink.tsv"));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  ASSERT_EQ(cluster.Gale("wait cpp-sequence --timeout 60").exit_code, 0);
  ASSERT_EQ(cluster.Gale("kill cpp-sequence").exit_code, 0);
  std::set<std::int64_t> ids;
  for (const std::string& line : testing::ReadLines(dir, "sink.tsv")) ids.insert(std::stoll(line));
  EXPECT_EQ(ids.size(), 1000u);
}

}  // namespace
}  // namespace gale
