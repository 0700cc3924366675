// Topologies submitted with `gale --cluster FILE` whose cluster file keeps
// the state in ZooKeeper (a real server, one per test binary): the commands
// work as they do with a state directory, the result equals local mode,
// a killed master is replaced, and kill leaves nothing behind in ZooKeeper
// or on disk. Also: what the commands say when ZooKeeper is unreachable or
// the cluster file asks for what is not there.

#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "records/state_records.h"
#include "state/zookeeper_state_manager.h"
#include "support/gale_cluster.h"
#include "support/word_count.h"
#include "support/zookeeper_server.h"

namespace gale {
namespace {

using testing::CommandResult;
using testing::ReadLines;
using testing::RunCommand;
using testing::ScratchDir;
using testing::SharedZooKeeper;

const std::string kGale = GALE_BIN;

bool Eventually(const std::function<bool()>& done, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

std::map<std::string, std::int64_t> Counts(const ScratchDir& dir, const std::string& prefix) {
  return testing::SinkCounts(dir, prefix);
}

std::string WordCountYaml(const std::string& name, const std::string& input,
                          const std::string& sink) {
  return testing::FileWordCountYaml(name, input, sink, 3);
}

TEST(ZooKeeperCluster, WordCountWithZooKeeperStateMatchesLocalModeAndKillLeavesNothing) {
  ASSERT_TRUE(SharedZooKeeper().Start()) << SharedZooKeeper().log();
  ScratchDir dir;
  const std::string state = dir.Join("state");
  const std::string cluster = dir.Write("cluster.yaml", "state.manager: zookeeper\n"
                                                        "zookeeper.connect: " +
                                                            SharedZooKeeper().connect() +
                                                            "\nzookeeper.root: /e2e\n"
                                                            "zookeeper.session.timeout.ms: 4000\n"
                                                            "zookeeper.auth: e2e:pw-5\n");
  ASSERT_EQ(::chmod(cluster.c_str(), 0600), 0);  // it holds a secret
  auto gale = [&](const std::string& args) {
    return RunCommand(kGale + " --cluster " + cluster + " --state-dir " + state + " " + args, dir,
                      120);
  };
  const std::string text = testing::RandomLines(5, 2000, 8, "w", 60).text;
  const std::string input = dir.Write("in.txt", text);

  CommandResult local = RunCommand(
      kGale + " local --quiet " +
          dir.Write("local.yaml", WordCountYaml("zkwc", input, dir.Join("local-{task}.tsv"))),
      dir, 120);
  ASSERT_EQ(local.exit_code, 0) << local.err;
  const auto expected = Counts(dir, "local-");
  ASSERT_EQ(expected.size(), 60u);

  // The topology's state lives in ZooKeeper; a client of our own reads it.
  state::ZooKeeperOptions zk;
  zk.connect = SharedZooKeeper().connect();
  zk.root = "/e2e";
  zk.auth = "e2e:pw-5";
  auto sm = state::ZooKeeperStateManager::Open(zk, state);
  ASSERT_TRUE(sm.ok()) << sm.status().message();
  auto& z = **sm;

  CommandResult submit =
      gale("submit " + dir.Write("wc.yaml", WordCountYaml("zkwc", input, dir.Join("zk-{task}.tsv"))));
  ASSERT_EQ(submit.exit_code, 0) << submit.err;
  EXPECT_NE(submit.out.find("topology 'zkwc' is running: 2 containers, 9 tasks (state in "
                            "ZooKeeper " + zk.connect + "/e2e/topologies/zkwc, logs in " +
                            state + "/topologies/zkwc)"),
            std::string::npos)
      << submit.out;
  EXPECT_EQ(submit.err.find("zookeeper.auth is not set"), std::string::npos) << submit.err;
  ASSERT_TRUE(z.Exists("zkwc").value_or(false));
  // Every process authenticated as the cluster file's identity; a session
  // without it cannot read the topology's keys or records.
  EXPECT_TRUE(z.ReadRecord<records::CurveKeys>("zkwc", "keys").ok());
  {
    state::ZooKeeperOptions anonymous = zk;
    anonymous.auth.clear();
    auto stranger = state::ZooKeeperStateManager::Open(anonymous, dir.Join("stranger"));
    ASSERT_TRUE(stranger.ok()) << stranger.status().message();
    EXPECT_FALSE((*stranger)->Read("zkwc", "keys").ok());
    EXPECT_FALSE((*stranger)->Read("zkwc", "submit").ok());
  }
  EXPECT_TRUE(z.ReadRecord<records::Submission>("zkwc", "submit").ok());
  EXPECT_TRUE(z.ReadRecord<records::PackingPlan>("zkwc", "packing").ok());
  EXPECT_TRUE(z.ReadRecord<records::PhysicalPlan>("zkwc", "physical").ok());
  auto master = z.ReadAliveRecord<records::MasterLocation>("zkwc", "tmaster");
  ASSERT_TRUE(master.ok()) << master.status().message();
  EXPECT_TRUE(z.ReadAlive("zkwc", "stmgr-0").ok());
  EXPECT_TRUE(z.ReadAlive("zkwc", "stmgr-1").ok());
  // The master, two executors, two stream managers, nine tasks.
  EXPECT_EQ(z.List("zkwc", "pids").value_or({}).size(), 1u + 2u + 2u + 9u);
  // On this host only what is host-local: logs, metrics, sockets and the
  // copy of the cluster file the processes read.
  const std::string local_dir = state + "/topologies/zkwc";
  EXPECT_TRUE(std::filesystem::exists(local_dir + "/logs/tmaster.log"));
  EXPECT_TRUE(std::filesystem::exists(local_dir + "/metrics/task-1"));
  EXPECT_TRUE(std::filesystem::exists(local_dir + "/cluster.yaml"));
  for (const char* record : {"submit", "packing", "physical", "scheduler", "alive"}) {
    EXPECT_FALSE(std::filesystem::exists(local_dir + "/" + record)) << record;
  }

  // ZooKeeper goes away mid-run: the topology's processes carry on (none
  // exits or restarts), commands say what is wrong, and once it is back
  // everything works again.
  std::map<std::string, int> before;
  for (const std::string& key : z.List("zkwc", "pids").value_or({})) {
    before[key] = z.ReadRecord<records::ProcessRecord>("zkwc", "pids/" + key).value_or({}).pid;
  }
  SharedZooKeeper().Kill();
  CommandResult down = gale("status zkwc");
  EXPECT_EQ(down.exit_code, 1) << down.out;
  EXPECT_NE(down.err.find("gale: cannot reach ZooKeeper at " + zk.connect), std::string::npos)
      << down.err;
  ASSERT_TRUE(SharedZooKeeper().Start()) << SharedZooKeeper().log();
  ASSERT_TRUE(Eventually([&] { return gale("status zkwc").exit_code == 0; },
                         std::chrono::seconds(30)));
  // This test's own session reconnects on its own schedule (the client
  // backs off while the server is away); wait for it too.
  ASSERT_TRUE(Eventually([&] { return z.List("zkwc", "pids").ok(); }, std::chrono::seconds(30)));
  for (const auto& [key, pid] : before) {
    EXPECT_TRUE(testing::Alive(pid)) << key;
    EXPECT_EQ(z.ReadRecord<records::ProcessRecord>("zkwc", "pids/" + key).value_or({}).pid, pid)
        << key << " was restarted";
  }

  CommandResult list = gale("list");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find("zkwc"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("running"), std::string::npos) << list.out;
  CommandResult status = gale("status zkwc");
  EXPECT_EQ(status.exit_code, 0) << status.err;
  EXPECT_NE(status.out.find("topology zkwc: running, active"), std::string::npos) << status.out;
  // The master's own session reconnects on the client's schedule; until it
  // has, a deactivation cannot be recorded and the command says so.
  CommandResult deactivate;
  ASSERT_TRUE(Eventually(
      [&] {
        deactivate = gale("deactivate zkwc");
        return deactivate.exit_code == 0;
      },
      std::chrono::seconds(30)))
      << deactivate.err;
  EXPECT_EQ(deactivate.out, "topology 'zkwc' deactivated\n");
  EXPECT_FALSE(z.ReadRecord<records::Activation>("zkwc", "activation").value_or({true}).active);
  EXPECT_NE(gale("status zkwc --json").out.find("\"active\":false"), std::string::npos);
  CommandResult activate = gale("activate zkwc");
  EXPECT_EQ(activate.exit_code, 0) << activate.err;
  EXPECT_EQ(activate.out, "topology 'zkwc' activated\n");
  CommandResult logs = gale("logs zkwc --component split");
  EXPECT_EQ(logs.exit_code, 0) << logs.err;
  EXPECT_NE(logs.out.find("==> " + local_dir + "/logs/task-"), std::string::npos) << logs.out;

  // A killed master holds its lock until its session times out; the new
  // one waits for that and takes over.
  ASSERT_EQ(::kill(master->pid, SIGKILL), 0);
  ASSERT_TRUE(Eventually(
      [&] {
        auto now = z.ReadAliveRecord<records::MasterLocation>("zkwc", "tmaster");
        return now.ok() && now->pid != master->pid;
      },
      std::chrono::seconds(40)))
      << testing::ReadFile(local_dir + "/logs/tmaster.log");

  CommandResult wait = gale("wait zkwc --timeout 90");
  ASSERT_EQ(wait.exit_code, 0) << wait.err << gale("status zkwc").out;
  std::vector<int> pids;
  for (const std::string& key : z.List("zkwc", "pids").value_or({})) {
    auto r = z.ReadRecord<records::ProcessRecord>("zkwc", "pids/" + key);
    if (r.ok()) pids.push_back(r->pid);
  }
  CommandResult kill = gale("kill zkwc");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  EXPECT_NE(kill.out.find("topology 'zkwc' killed"), std::string::npos) << kill.out;

  EXPECT_EQ(Counts(dir, "zk-"), expected);
  // Nothing left: no node in ZooKeeper, no directory, no process.
  EXPECT_FALSE(z.Exists("zkwc").value_or(true));
  EXPECT_TRUE(z.Topologies().value_or({"x"}).empty());
  EXPECT_FALSE(std::filesystem::exists(local_dir));
  for (int pid : pids) EXPECT_FALSE(testing::Alive(pid)) << pid;
  CommandResult after = gale("status zkwc");
  EXPECT_EQ(after.exit_code, 1);
  EXPECT_NE(after.err.find("no topology 'zkwc' in ZooKeeper " + zk.connect + "/e2e"),
            std::string::npos)
      << after.err;
  EXPECT_EQ(gale("list").out, "no topologies in ZooKeeper " + zk.connect + "/e2e\n");
}

TEST(ZooKeeperCluster, CommandsSayWhenZooKeeperCannotBeReached) {
  ScratchDir dir;
  const std::string nobody = "127.0.0.1:" + std::to_string(testing::FreeLoopbackPort());
  const std::string cluster =
      dir.Write("down.yaml", "state.manager: zookeeper\nzookeeper.connect: " + nobody +
                                 "\nzookeeper.connect.timeout.ms: 300\n");
  for (const char* command : {"list", "status wc", "kill wc", "activate wc", "logs wc"}) {
    CommandResult r = RunCommand(kGale + " --cluster " + cluster + " --state-dir " +
                                     dir.Join("state") + " " + command,
                                 dir, 60);
    EXPECT_EQ(r.exit_code, 1) << command << ": " << r.err;
    EXPECT_NE(r.err.find("gale: cannot reach ZooKeeper at " + nobody +
                         ": no server answered within 300 ms"),
              std::string::npos)
        << command << ": " << r.err;
  }
  // GALE_CLUSTER names the file when --cluster does not.
  CommandResult env = RunCommand("env GALE_CLUSTER=" + cluster + " " + kGale + " list", dir, 60);
  EXPECT_EQ(env.exit_code, 1) << env.err;
  EXPECT_NE(env.err.find("cannot reach ZooKeeper at " + nobody), std::string::npos) << env.err;
}

TEST(ZooKeeperCluster, ABadClusterFileOrTheSlurmSchedulerIsRefusedWithExit2) {
  ScratchDir dir;
  const std::string topology = dir.Write("t.yaml", R"(name: t
spouts:
  - {id: s, className: RandomSentenceSpout}
bolts:
  - {id: b, className: SplitSentenceBolt}
streams:
  - {from: s, to: b, grouping: {type: SHUFFLE}}
)");
  struct Case {
    std::string file, expected;
  };
  for (const Case& c : std::vector<Case>{
           {dir.Write("typo.yaml", "state.manger: zookeeper\n"),
            "typo.yaml:1:1: unknown key 'state.manger' (did you mean 'state.manager'?)"},
           {dir.Write("value.yaml", "state.manager: zookeper\n"),
            "value.yaml:1:16: state.manager: 'zookeper' is not localfs or zookeeper"},
           {dir.Write("slurm.yaml", "scheduler: slurm\nslurm.partition: debug\n"),
            "slurm.yaml: scheduler: slurm needs 'state.manager: zookeeper'"},
           {dir.Join("missing.yaml"), "cannot read the cluster file"},
       }) {
    for (const std::string& command : {"submit " + topology, std::string("list"),
                                       std::string("status t"), std::string("kill t")}) {
      CommandResult r = RunCommand(kGale + " --cluster " + c.file + " --state-dir " +
                                       dir.Join("state") + " " + command,
                                   dir, 60);
      EXPECT_EQ(r.exit_code, 2) << c.file << " " << command << ": " << r.err;
      EXPECT_NE(r.err.find(c.expected), std::string::npos) << command << ": " << r.err;
    }
    CommandResult env =
        RunCommand("env GALE_CLUSTER=" + c.file + " " + kGale + " list", dir, 60);
    EXPECT_EQ(env.exit_code, 2) << env.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir.Join("state/topologies/t")));
  // Developing needs no cluster: local and validate ignore it.
  CommandResult validate = RunCommand(
      kGale + " --cluster " + dir.Join("slurm.yaml") + " validate " + topology, dir, 60);
  EXPECT_EQ(validate.exit_code, 0) << validate.err;
}

}  // namespace
}  // namespace gale
