// A submitted topology whose state directory fills up, and logs that grow.
//
// Full disk: the state root is a small tmpfs in a private mount namespace
// (support/private_tmpfs.h), so it vanishes with the test. While it is
// full, activate and submit fail, say why and change nothing; every record
// in the state directory stays a complete one; the processes keep running
// and catch up once there is space again.
//
// Logs: a bolt printing a lot to stderr keeps its log near the cap with
// topology.log.max.files rotated files, and `gale logs` prints them in
// order.

#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "metrics/snapshot.h"
#include "records/state_records.h"
#include "support/gale_cluster.h"
#include "support/private_tmpfs.h"

namespace gale {
namespace {

namespace fs = std::filesystem;
using testing::Checks;
using testing::CommandResult;
using testing::ReadFile;
using testing::RunCommand;
using testing::ScratchDir;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_TEST_PLUGIN;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

template <typename R>
std::string DecodeAs(const std::string& text) {
  auto r = records::DecodeRecord<R>(text);
  return r.ok() ? "" : r.status().message();
}

// Every record under `topology_dir` is complete: it decodes as its type.
// "" or what is wrong.
std::string CheckRecords(const std::string& topology_dir) {
  std::string problems;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(topology_dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string key = p.lexically_relative(topology_dir).string();
    if (key.rfind("logs", 0) == 0 || key.rfind("sock", 0) == 0) {
      if (it->is_directory()) it.disable_recursion_pending();
      continue;
    }
    if (it->is_directory() || key.ends_with(".lock")) continue;
    if (Contains(key, ".tmp")) {
      problems += key + ": a temporary file left behind\n";
      continue;
    }
    std::string text = ReadFile(p.string());
    std::string why;
    if (key == "submit") why = DecodeAs<records::Submission>(text);
    else if (key == "packing") why = DecodeAs<records::PackingPlan>(text);
    else if (key == "physical") why = DecodeAs<records::PhysicalPlan>(text);
    else if (key == "tmaster") why = DecodeAs<records::MasterLocation>(text);
    else if (key == "scheduler") why = DecodeAs<records::SchedulerRecord>(text);
    else if (key == "activation") why = DecodeAs<records::Activation>(text);
    else if (key.rfind("pids/", 0) == 0) why = DecodeAs<records::ProcessRecord>(text);
    else if (key.rfind("metrics/task-", 0) == 0) {
      metrics::TaskSnapshot s;
      Status d = metrics::Decode(text, &s);
      why = d.ok() ? "" : d.message();
    } else if (key.rfind("metrics/stmgr-", 0) == 0) {
      metrics::StmgrSnapshot s;
      Status d = metrics::Decode(text, &s);
      why = d.ok() ? "" : d.message();
    } else if (text.empty()) {
      why = "empty";
    }
    if (!why.empty()) problems += key + ": " + why + "\n";
  }
  return problems;
}

bool ActivationIs(const std::string& topology_dir, bool active) {
  auto a = records::DecodeRecord<records::Activation>(ReadFile(topology_dir + "/activation"));
  return a.ok() && a->active == active;
}

// Seconds since `path` was last written, or -1.
double AgeSecs(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return -1;
  auto now = std::chrono::system_clock::now().time_since_epoch();
  double mtime = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
  return std::chrono::duration<double>(now).count() - mtime;
}

// Waits up to `limit` for `ready`.
bool WaitFor(const std::function<bool()>& ready, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ready()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

std::string WordsYaml(const std::string& name) {
  return "name: " + name + R"(
spouts:
  - {id: words, className: RandomSentenceSpout, parallelism: 1}
bolts:
  - {id: split, className: SplitSentenceBolt, parallelism: 1}
streams:
  - {from: words, to: split, grouping: {type: SHUFFLE}}
)";
}

TEST(DurableState, OnAFullDiskCommandsFailCleanlyAndRecordsStayWhole) {
  ScratchDir dir;
  const std::string state = dir.Join("state");
  fs::create_directories(state);
  const std::string yaml = dir.Write("full.yaml", WordsYaml("full"));
  const std::string other = dir.Write("other.yaml", WordsYaml("other"));
  const std::string topology_dir = state + "/topologies/full";
  auto gale = [&](const std::string& args) {
    return RunCommand(kGale + " --state-dir " + state + " " + args, dir, 120);
  };
  testing::TmpfsRun run = testing::RunOnPrivateTmpfs(state, 8 << 20, [&] {
    Checks c;
    CommandResult submit = gale("submit " + yaml);
    c.Expect(submit.exit_code == 0, "submit: " + submit.err);
    if (submit.exit_code != 0) return c.failures();
    CommandResult off = gale("deactivate full");
    c.Expect(off.exit_code == 0, "deactivate: " + off.err);
    c.Expect(ActivationIs(topology_dir, false), "no inactive activation record");

    c.Expect(testing::FillDisk(state) > 0, "the filler wrote nothing");
    testing::FillDisk(state, 512);
    CommandResult on = gale("activate full");
    c.Expect(on.exit_code == 1, "activate on a full disk exited " +
                                    std::to_string(on.exit_code) + ": " + on.out + on.err);
    c.Expect(Contains(on.err, "topology 'full' was not activated"), "activate said: " + on.err);
    c.Expect(Contains(on.err, "No space left on device"), "activate said: " + on.err);
    c.Expect(Contains(on.err, "df -h"), "activate said: " + on.err);
    c.Expect(Contains(on.err, "it stays inactive"), "activate said: " + on.err);
    c.Expect(ActivationIs(topology_dir, false), "the activation record changed");

    CommandResult second = gale("submit " + other);
    c.Expect(second.exit_code == 1, "submit on a full disk exited " +
                                        std::to_string(second.exit_code) + ": " + second.err);
    c.Expect(Contains(second.err, "topology 'other' was not submitted"),
             "submit said: " + second.err);
    c.Expect(Contains(second.err, "No space left on device"), "submit said: " + second.err);
    c.Expect(!fs::exists(state + "/topologies/other"), "the failed submit left state behind");

    // The processes go on while their metrics cannot be written: the
    // instance's record ages, and stays whole.
    const std::string metrics = topology_dir + "/metrics/task-1";
    c.Expect(WaitFor([&] { return AgeSecs(metrics) > 3; }, std::chrono::seconds(30)),
             "metrics/task-1 is still being rewritten on a full disk");
    c.Expect(CheckRecords(topology_dir).empty(), "incomplete records:\n" +
                                                     CheckRecords(topology_dir));
    CommandResult list = gale("list");
    c.Expect(Contains(list.out, "running"), "the topology is not running: " + list.out);

    // With space again everything catches up.
    testing::FreeDisk(state);
    on = gale("activate full");
    c.Expect(on.exit_code == 0, "activate after freeing space: " + on.err);
    c.Expect(ActivationIs(topology_dir, true), "the activation record did not change");
    c.Expect(WaitFor([&] { return AgeSecs(metrics) >= 0 && AgeSecs(metrics) < 2; },
                     std::chrono::seconds(30)),
             "metrics/task-1 is not rewritten after freeing space");
    c.Expect(CheckRecords(topology_dir).empty(), "incomplete records:\n" +
                                                     CheckRecords(topology_dir));

    // Kill works on a full disk: it stops without the drain and says so.
    testing::FillDisk(state);
    testing::FillDisk(state, 512);
    CommandResult kill = gale("kill full");
    c.Expect(kill.exit_code == 0, "kill on a full disk: " + kill.err);
    c.Expect(Contains(kill.err, "without draining"), "kill said: " + kill.err);
    c.Expect(!fs::exists(topology_dir), "the killed topology's state is still there");
    if (fs::exists(topology_dir)) gale("kill --force full");
    return c.failures();
  });
  if (run.unavailable) GTEST_SKIP() << run.failures;
  EXPECT_EQ(run.failures, "");
}

TEST(DurableState, ANoisyBoltsLogIsRotatedAndCapped) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  constexpr int kTuples = 4000;
  constexpr std::int64_t kCap = 65536;
  // SlowBolt passes at most 500 tuples a second (2 ms each), so the noisy
  // bolt writes at most ~520 KB/s and the run lasts at least 8 s: several
  // once-a-second rotations, each file bounded by the cap plus what was
  // written between two checks.
  std::string yaml = R"(name: noisy
config:
  topology.log.max.bytes: 65536
  topology.log.max.files: 2
spouts:
  - id: ids
    className: SequenceSpout
    properties: [{name: count, value: )" + std::to_string(kTuples) + R"(}]
bolts:
  - id: slow
    className: SlowBolt
    properties: [{name: sleep.us, value: 2000}]
  - id: noisy
    className: StderrBolt
    properties: [{name: bytes, value: 1000}]
streams:
  - {from: ids, to: slow, grouping: {type: SHUFFLE}}
  - {from: slow, to: noisy, grouping: {type: SHUFFLE}}
)";
  cluster.Track("noisy");
  auto submit = cluster.Gale("submit " + dir.Write("noisy.yaml", yaml) + " --lib " + kPlugin);
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  auto wait = cluster.Gale("wait noisy --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err;

  const std::string logs = cluster.TopologyDir("noisy") + "/logs";
  std::string log;
  for (const auto& e : fs::directory_iterator(logs)) {
    std::string f = e.path().filename().string();
    if (f.ends_with(".log") && Contains(ReadFile(e.path().string() + ".1"), "noisy ")) {
      log = e.path().string();
    }
  }
  ASSERT_FALSE(log.empty()) << "no rotated log holds the bolt's lines";
  ASSERT_TRUE(fs::exists(log + ".2"));
  EXPECT_FALSE(fs::exists(log + ".3")) << "more rotated files than topology.log.max.files";
  for (const std::string& f : {log + ".2", log + ".1"}) {
    EXPECT_GE(fs::file_size(f), static_cast<std::uintmax_t>(kCap)) << f;
    EXPECT_LE(fs::file_size(f), static_cast<std::uintmax_t>(kCap + 2'000'000)) << f;
  }
  EXPECT_LE(fs::file_size(log), static_cast<std::uintmax_t>(kCap + 2'000'000));

  // `gale logs` prints the oldest kept lines first and the newest last; the
  // first ids were rotated away.
  auto printed = cluster.Gale("logs noisy --component noisy");
  ASSERT_EQ(printed.exit_code, 0) << printed.err;
  std::vector<int> ids;
  std::regex line("noisy (\\d+) x");
  for (auto it = std::sregex_iterator(printed.out.begin(), printed.out.end(), line);
       it != std::sregex_iterator(); ++it) {
    ids.push_back(std::stoi((*it)[1]));
  }
  ASSERT_FALSE(ids.empty());
  EXPECT_TRUE(std::is_sorted(ids.begin(), ids.end())) << "lines out of order";
  EXPECT_GT(ids.front(), 1) << "nothing was rotated away";
  EXPECT_EQ(ids.back(), kTuples);

  auto kill = cluster.Gale("kill noisy");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  // The archived run keeps the rotated files, and `gale logs --run` reads them.
  auto archived = cluster.Gale("logs noisy --run latest --component noisy");
  ASSERT_EQ(archived.exit_code, 0) << archived.err;
  EXPECT_TRUE(Contains(archived.out, "noisy " + std::to_string(kTuples) + " x"));
  EXPECT_TRUE(Contains(archived.out, ".log.2 <=="));
}

}  // namespace
}  // namespace gale
