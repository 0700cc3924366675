// `gale status` across failures: counters stay cumulative when a task's
// process is replaced, and a dead topology says what is gone.

#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>

#include "support/gale_cluster.h"
#include "support/run_command.h"

namespace gale {
namespace {

using Clock = std::chrono::steady_clock;
using testing::Alive;
using testing::Cluster;
using testing::CommandResult;
using testing::JsonComponentField;
using testing::JsonNumbers;
using testing::ScratchDir;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;

std::string Yaml(const std::string& name) {
  return "name: " + name + R"(
config:
  topology.workers: 1
  topology.max.spout.pending: 200
spouts:
  - {id: sentences, className: RandomSentenceSpout}
bolts:
  - {id: split, className: SplitSentenceBolt}
  - {id: count, className: WordCountBolt}
streams:
  - {from: sentences, to: split, grouping: {type: SHUFFLE}}
  - {from: split, to: count, grouping: {type: FIELDS, args: [word]}}
)";
}

// Tasks: sentences 1, split 2, count 3.
TEST(StatusAcrossRestarts, CountersOfARestartedTaskNeverGoBackwards) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  cluster.Track("cumulative");
  CommandResult submit = cluster.Gale("submit " + dir.Write("t.yaml", Yaml("cumulative")));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;

  auto executed = [&] {
    return JsonComponentField(cluster.Gale("status cumulative --json").out, "split", "executed");
  };
  ASSERT_TRUE(WaitUntil([&] { return executed() >= 1000; }, 120))
      << cluster.Gale("status cumulative").out;
  const int old_pid = cluster.Pid("cumulative", "pids/task-2");
  ASSERT_GT(old_pid, 0);
  double before = executed();
  ASSERT_EQ(::kill(old_pid, SIGKILL), 0);

  // Sample while the task restarts: never below the value before the kill.
  double lowest = before;
  ASSERT_TRUE(WaitUntil(
      [&] {
        std::string json = cluster.Gale("status cumulative --json").out;
        double now = JsonComponentField(json, "split", "executed");
        lowest = std::min(lowest, now);
        int pid = cluster.Pid("cumulative", "pids/task-2");
        return pid > 0 && pid != old_pid && Alive(pid) &&
               JsonComponentField(json, "split", "restarted_tasks") == 1 &&
               JsonComponentField(json, "split", "executed_incarnation") > 0;
      },
      120))
      << cluster.Gale("status cumulative --json").out;
  EXPECT_GE(lowest, before);
  std::string json = cluster.Gale("status cumulative --json").out;
  double total = JsonComponentField(json, "split", "executed");
  double incarnation = JsonComponentField(json, "split", "executed_incarnation");
  EXPECT_GE(total, before);
  EXPECT_LT(incarnation, total) << json;
  std::string file = testing::ReadFile(cluster.TopologyDir("cumulative") + "/metrics/task-2");
  EXPECT_NE(file.find("incarnation=2\n"), std::string::npos) << file;
  EXPECT_NE(file.find("base_executed="), std::string::npos) << file;
}

// While the topology runs, the spout's complete-latency percentiles reach
// `status --json` (published about once a second), ordered p50 <= p99 <=
// p99.9 and not above the largest possible value, the message timeout.
TEST(StatusWhileRunning, ShowsLiveCompleteLatencyPercentiles) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  cluster.Track("percentiles");
  CommandResult submit = cluster.Gale("submit " + dir.Write("t.yaml", Yaml("percentiles")));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  auto field = [&](const std::string& json, const char* name) {
    return JsonComponentField(json, "sentences", name);
  };
  std::string json;
  ASSERT_TRUE(WaitUntil(
      [&] {
        json = cluster.Gale("status percentiles --json").out;
        return field(json, "acked") > 0 && field(json, "complete_latency_p99_ms") > 0;
      },
      60))
      << json;
  double p50 = field(json, "complete_latency_p50_ms");
  double p99 = field(json, "complete_latency_p99_ms");
  double p999 = field(json, "complete_latency_p999_ms");
  EXPECT_GT(p50, 0) << json;
  EXPECT_LE(p50, p99) << json;
  EXPECT_LE(p99, p999) << json;
  EXPECT_LT(p999, 30'000) << json;
  EXPECT_EQ(field(json, "malformed"), 0) << json;
  EXPECT_EQ(JsonComponentField(json, "split", "complete_latency_p99_ms"), 0) << json;
}

// A process that keeps dying is given up after topology.restart.max.failures
// exits within the window: not restarted again, and status says so.
TEST(StatusOfACrashLoop, SupervisorGivesUpAndStatusSaysWhy) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  cluster.Track("crashy");
  CommandResult submit = cluster.Gale("submit " + dir.Write("t.yaml", Yaml("crashy")) +
                                      " -c topology.restart.max.failures=3");
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  int last = 0;
  for (int i = 0; i < 3; ++i) {
    // Wait for a fresh process of task 3 (count), then kill it.
    ASSERT_TRUE(WaitUntil(
        [&] {
          int pid = cluster.Pid("crashy", "pids/task-3");
          return pid > 0 && pid != last && Alive(pid);
        },
        30))
        << "kill " << i;
    last = cluster.Pid("crashy", "pids/task-3");
    ASSERT_EQ(::kill(last, SIGKILL), 0);
  }
  std::string json;
  ASSERT_TRUE(WaitUntil(
      [&] {
        json = cluster.Gale("status crashy --json").out;
        return json.find("no more restarts") != std::string::npos;
      },
      30))
      << json;
  EXPECT_NE(json.find("killed by signal 9; 3 exits within 300 s, no more restarts"),
            std::string::npos)
      << json;
  // Not started again: the record keeps the last pid, which is gone.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(cluster.Pid("crashy", "pids/task-3"), last);
  EXPECT_FALSE(Alive(last));
  std::string table = cluster.Gale("status crashy").out;
  EXPECT_NE(table.find("(given up: killed by signal 9"), std::string::npos) << table;
}

TEST(StatusOfDeadTopology, SaysWhatIsGoneAndCountsNoLiveTasks) {
  ScratchDir dir;
  Cluster cluster(kGale, dir);
  cluster.Track("corpse");
  CommandResult submit = cluster.Gale("submit " + dir.Write("t.yaml", Yaml("corpse")));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  std::string running = cluster.Gale("status corpse --json").out;
  EXPECT_NE(running.find("\"state\":\"running\""), std::string::npos) << running;
  EXPECT_NE(running.find("\"tasks_live\":3"), std::string::npos) << running;
  EXPECT_NE(running.find("\"processes_gone\":0"), std::string::npos) << running;

  // The scheduler first, so nothing restarts what follows.
  std::vector<int> pids = {cluster.Pid("corpse", "scheduler")};
  for (std::uint64_t pid : JsonNumbers(running, "pid")) pids.push_back(static_cast<int>(pid));
  ASSERT_EQ(pids.size(), 7u) << running;  // scheduler, tmaster, executor, stmgr, 3 instances
  for (int pid : pids) {
    ASSERT_GT(pid, 0);
    ::kill(pid, SIGKILL);
  }
  ASSERT_TRUE(WaitUntil(
      [&] {
        for (int pid : pids) {
          if (Alive(pid)) return false;
        }
        return true;
      },
      30));

  CommandResult text = cluster.Gale("status corpse");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("topology corpse: dead (scheduler not running; 6 of 6 processes gone), "
                          "active, 0/3 tasks live\n"),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("(not running)"), std::string::npos) << text.out;
  CommandResult json = cluster.Gale("status corpse --json");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  for (const char* field : {"\"state\":\"dead\"", "\"tasks_live\":0", "\"processes_gone\":6",
                            "\"tasks_reporting\":3", "\"alive\":false"}) {
    EXPECT_NE(json.out.find(field), std::string::npos) << field << "\n" << json.out;
  }
  EXPECT_EQ(json.out.find("\"alive\":true"), std::string::npos) << json.out;
}

}  // namespace
}  // namespace gale
