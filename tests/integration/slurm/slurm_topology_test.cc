// Topologies placed by the Slurm scheduler (cluster file `scheduler: slurm`)
// on the three-host test cluster (support/slurm_cluster.h), with ZooKeeper
// state: a word count across the hosts gives the reference counts and `gale
// kill` leaves no job, process or state; a topology with named streams and
// FIELDS, ALL and GLOBAL groupings acks every tuple while the host of one
// of its containers, then the master's host, is lost mid-run; a ZooKeeper
// restart mid-run loses nothing. Needs root, iproute2, slurm-wlm, munge and
// zookeeper.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <thread>

#include "support/gale_cluster.h"
#include "support/run_command.h"
#include "support/slurm_cluster.h"
#include "support/word_count.h"

namespace gale {
namespace {

using testing::CommandResult;
using testing::ReadFile;
using testing::ReadLines;
using testing::ScratchDir;
using testing::SlurmTestCluster;
using testing::WaitUntil;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_TEST_PLUGIN;

// A topology that only has to be submitted.
std::string TinyTopology(const std::string& name) {
  return "name: " + name + "\nspouts:\n  - {id: s, className: RandomSentenceSpout}\n"
         "bolts:\n  - {id: b, className: SplitSentenceBolt}\n"
         "streams:\n  - {from: s, to: b, grouping: {type: SHUFFLE}}\n";
}

class SlurmTopologyTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      testing::SlurmTestClusterOptions options;
      options.least_loaded = true;  // one job per host while there is room
      cluster_ = std::make_unique<SlurmTestCluster>(options);
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  void SetUp() override {
    if (!cluster_) GTEST_FAIL() << "the Slurm test cluster did not start: " << error_;
    static int n = 0;
    root_ = "/slurm-t" + std::to_string(::getpid()) + "-" + std::to_string(n++);
    config_ = WriteConfig("cluster.yaml", "zookeeper.auth: gale:" + root_.substr(1) + "\n");
  }
  // The cluster file of this test with `extra` lines, owner-only (it may
  // hold zookeeper.auth).
  std::string WriteConfig(const std::string& file, const std::string& extra) const {
    std::string path = dir_.Write(file, "state.manager: zookeeper\n"
                                         "state.root: " + dir_.Join("state") + "\n"
                                         "zookeeper.connect: " + cluster_->ZooKeeperConnect() + "\n"
                                         "zookeeper.root: " + root_ + "\n"
                                         "zookeeper.session.timeout.ms: 4000\n"
                                         "scheduler: slurm\n"
                                         "slurm.partition: " + cluster_->Partition() + "\n"
                                         "package.store: " + dir_.Join("store") + "\n" +
                                         extra);
    ::chmod(path.c_str(), 0600);
    return path;
  }
  void TearDown() override {
    if (!name_.empty() && cluster_) Gale("kill --force " + name_, 120);
  }

  CommandResult Gale(const std::string& args, int timeout = 180) const {
    return testing::RunCommand(cluster_->EnvPrefix() + kGale + " --cluster " + config_ + " " + args,
                               dir_, timeout);
  }

  // Slurm job name -> node, for the jobs of topology `name` that run.
  std::map<std::string, std::string> Placement(const std::string& name) const {
    std::map<std::string, std::string> where;
    CommandResult r = cluster_->Slurm("squeue -h -t RUNNING -o '%j %N'", 20);
    std::istringstream in(r.out);
    std::string job, node;
    while (in >> job >> node) {
      const std::string prefix = "gale-" + name + "-";
      if (job.rfind(prefix, 0) == 0) where[job.substr(prefix.size())] = node;
    }
    return where;
  }
  int HostIndex(const std::string& node) const {
    for (int i = 0; i < cluster_->size(); ++i) {
      if (cluster_->NodeName(i) == node) return i;
    }
    return -1;
  }
  // How many trees the spout `ids` has had acked so far.
  double Acked(const std::string& name) const {
    return testing::JsonComponentField(Gale("status " + name + " --json", 30).out, "ids",
                                       "acked");
  }
  // Submits FaultTopology (below) with `count` ids as `name_` and returns
  // once its spout has had some trees acked, not all: mid-run.
  void SubmitMidRun(int count, std::map<std::string, std::string>* placed) {
    CommandResult submit = Gale("submit " + dir_.Write(name_ + ".yaml", FaultTopology(count)) +
                                    " --lib " + kPlugin,
                                240);
    ASSERT_EQ(submit.exit_code, 0) << submit.err << QueuedJobs();
    *placed = Placement(name_);
    ASSERT_EQ(placed->size(), 4u) << QueuedJobs();
    ASSERT_TRUE(WaitUntil([&] { return Acked(name_) > 0; }, 60)) << Gale("status " + name_).out;
    ASSERT_LT(Acked(name_), count);
  }
  // Waits for the topology to finish, kills it, and checks that every tree
  // was acked once; how many ids were replayed.
  int FinishAndCount(int count) {
    CommandResult wait = Gale("wait " + name_ + " --timeout 240", 300);
    EXPECT_EQ(wait.exit_code, 0) << wait.err << Gale("status " + name_).out;
    CommandResult kill = Gale("kill " + name_, 180);
    EXPECT_EQ(kill.exit_code, 0) << kill.err;
    name_.clear();
    return ExpectEveryTreeAcked(count);
  }
  // Whether, within 60 s, every process of the topology runs again, none on
  // host `lost`, and status sees no process gone.
  bool RunsAgainWithout(int lost) {
    return WaitUntil(
        [&] {
          auto now = Placement(name_);
          if (now.size() != 4u) return false;
          for (const auto& [process, node] : now) {
            if (node == cluster_->NodeName(lost)) return false;
          }
          return Gale("status " + name_ + " --json", 30).out.find("\"processes_gone\":0") !=
                 std::string::npos;
        },
        60);
  }
  // The ids of the topology's jobs Slurm holds, in job id order.
  std::string JobIds() const {
    std::istringstream in(cluster_->Slurm("squeue -h -o '%i %j' -S i", 20).out);
    std::string ids, id, job;
    while (in >> id >> job) {
      if (job.rfind("gale-" + name_ + "-", 0) == 0) ids += id + " ";
    }
    return ids;
  }

  std::string FaultTopology(int count) const;
  int ExpectEveryTreeAcked(int count) const;

  // Jobs of any topology that Slurm still holds.
  std::string QueuedJobs() const {
    return cluster_->Slurm("squeue -h -o '%i %j %T %N %r'", 20).out;
  }

  static std::unique_ptr<SlurmTestCluster> cluster_;
  static std::string error_;
  ScratchDir dir_;
  std::string root_, config_, name_;
};
std::unique_ptr<SlurmTestCluster> SlurmTopologyTest::cluster_;
std::string SlurmTopologyTest::error_;

TEST_F(SlurmTopologyTest, WordCountAcrossThreeHostsEqualsTheReferenceAndKillLeavesNothing) {
  auto in = testing::RandomLines(11, 3000, 8, "w", 400);
  name_ = "slurm-wc";
  std::string yaml = testing::FileWordCountYaml(name_, dir_.Write("lines.txt", in.text),
                                                dir_.Join("counts-{task}.tsv"), 3);
  CommandResult submit = Gale("submit " + dir_.Write("wc.yaml", yaml), 240);
  ASSERT_EQ(submit.exit_code, 0) << submit.err << submit.out << QueuedJobs();
  EXPECT_NE(submit.out.find("placed by Slurm"), std::string::npos) << submit.out;

  // Slurm put the master and the two containers on three different hosts.
  auto placed = Placement(name_);
  ASSERT_EQ(placed.size(), 3u) << QueuedJobs();
  std::set<std::string> nodes;
  for (const auto& [process, node] : placed) nodes.insert(node);
  EXPECT_EQ(nodes.size(), 3u) << QueuedJobs();

  // Every command works from this host, which runs none of the topology.
  CommandResult list = Gale("list");
  EXPECT_EQ(list.exit_code, 0) << list.err;
  EXPECT_NE(list.out.find(name_), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("running"), std::string::npos) << list.out;
  CommandResult status = Gale("status " + name_ + " --json");
  ASSERT_EQ(status.exit_code, 0) << status.err;
  // The master and the stream managers serve at their hosts' addresses
  // (the test's hosts share one host name, so "host" cannot tell them apart).
  for (int i = 0; i < cluster_->size(); ++i) {
    EXPECT_NE(status.out.find("\"endpoint\":\"" + cluster_->NodeAddress(i) + ":"),
              std::string::npos)
        << "nothing serves on host " << i << ": " << status.out;
  }
  // A host that holds none of the topology's files (its own state.root)
  // sees every task through the master.
  const std::string elsewhere = " --state-dir " + dir_.Join("elsewhere") + " ";
  CommandResult remote = Gale(elsewhere + "status " + name_ + " --json");
  ASSERT_EQ(remote.exit_code, 0) << remote.err;
  EXPECT_NE(remote.out.find("\"tasks_reporting\":9,"), std::string::npos) << remote.out;
  CommandResult wait = Gale(elsewhere + "wait " + name_ + " --timeout 120", 180);
  ASSERT_EQ(wait.exit_code, 0) << wait.err << Gale("status " + name_).out;
  EXPECT_EQ(testing::SinkCounts(dir_, "counts-"), in.reference);

  CommandResult kill = Gale("kill " + name_, 180);
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  name_.clear();
  // No job, no process on any host, no state, no package, no run directory.
  EXPECT_EQ(QueuedJobs().find("gale-slurm-wc-"), std::string::npos) << QueuedJobs();
  for (int i = 0; i < cluster_->size(); ++i) {
    for (pid_t pid : cluster_->ProcessesOnNode(i)) {
      std::string cmdline = ReadFile("/proc/" + std::to_string(pid) + "/cmdline");
      EXPECT_EQ(cmdline.find("slurm-wc"), std::string::npos) << "host " << i << ": " << cmdline;
    }
  }
  list = Gale("list");
  EXPECT_EQ(list.out.find("slurm-wc"), std::string::npos) << list.out;
  std::error_code ec;
  EXPECT_TRUE(std::filesystem::is_empty(dir_.Join("store/runs"), ec)) << ec.message();
  EXPECT_FALSE(std::filesystem::exists(dir_.Join("state/topologies/slurm-wc")));
}

TEST_F(SlurmTopologyTest, ASecuredTopologyNeedsZooKeeperAuthToRunOnOtherHosts) {
  std::string open_config = WriteConfig("open.yaml", "");
  std::string yaml = TinyTopology("open");
  CommandResult r = testing::RunCommand(cluster_->EnvPrefix() + kGale + " --cluster " +
                                            open_config + " submit " + dir_.Write("o.yaml", yaml),
                                        dir_, 120);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("need its CURVE keys, which are shared only through ZooKeeper with an "
                       "identity: set zookeeper.auth in " + open_config),
            std::string::npos)
      << r.err;
  EXPECT_EQ(QueuedJobs().find("gale-open-"), std::string::npos) << QueuedJobs();
}

// Pinning shares one host's CPUs among the containers; under Slurm each
// container is a job on a host Slurm picks, so the submit refuses it.
TEST_F(SlurmTopologyTest, CpuPinningIsRefusedWithTheSlurmScheduler) {
  std::string yaml = TinyTopology("pinned");
  CommandResult r = testing::RunCommand(cluster_->EnvPrefix() + kGale + " --cluster " + config_ +
                                            " submit " + dir_.Write("p.yaml", yaml) +
                                            " -c container.cpu.pinning=true",
                                        dir_, 120);
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("container.cpu.pinning shares one host's CPUs"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--cpus-per-task in slurm.args of " + config_), std::string::npos) << r.err;
  EXPECT_EQ(QueuedJobs().find("gale-pinned-"), std::string::npos) << QueuedJobs();
  EXPECT_EQ(Gale("list").out.find("pinned"), std::string::npos);
}

TEST_F(SlurmTopologyTest, AJobSlurmRefusesFailsTheSubmitWithWhatSlurmSaidAndLeavesNothing) {
  std::string bad = WriteConfig("bad.yaml", "zookeeper.auth: gale:x\nslurm.args: [--partition=nope]\n");
  std::string yaml = TinyTopology("refused");
  CommandResult r = testing::RunCommand(cluster_->EnvPrefix() + kGale + " --cluster " + bad +
                                            " submit " + dir_.Write("r.yaml", yaml),
                                        dir_, 120);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("sbatch refused job 'gale-refused-tmaster'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nope"), std::string::npos) << r.err;
  EXPECT_EQ(QueuedJobs().find("gale-refused-"), std::string::npos) << QueuedJobs();
  CommandResult list = testing::RunCommand(cluster_->EnvPrefix() + kGale + " --cluster " + bad +
                                               " list", dir_, 60);
  EXPECT_EQ(list.out.find("refused"), std::string::npos) << list.out;
}

TEST_F(SlurmTopologyTest, ASlurmSchedulerWithoutSlurmCommandsFailsClearly) {
  name_ = "no-slurm";
  std::string yaml = TinyTopology("no-slurm");
  CommandResult r = testing::RunCommand("env PATH=/nonexistent " + kGale + " --cluster " +
                                            config_ + " submit " + dir_.Write("t.yaml", yaml),
                                        dir_, 120);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("needs Slurm's client commands, but 'sbatch' was not found in PATH"),
            std::string::npos)
      << r.err;
  EXPECT_EQ(Gale("list").out.find("no-slurm"), std::string::npos);
  name_.clear();
}

// ids -(FIELDS)-> loop -("done" stream, FIELDS)-> relay -(GLOBAL)-> sink, and
// ids -(ALL)-> copy (2 tasks) -(GLOBAL)-> copies: every tree spans every
// container. Task t runs in container (t - 1) % 3; the spout (task 1) in
// container 0. Each copy task sleeps 0.5 ms a tuple: `count` ids take at
// least count / 2000 s.
std::string SlurmTopologyTest::FaultTopology(int count) const {
  const ScratchDir& dir = dir_;
  return "name: " + name_ + R"(
config:
  topology.workers: 3
  topology.message.timeout.secs: 5
  topology.max.spout.pending: 1000
spouts:
  - id: ids
    className: RecordingSpout
    properties:
      - {name: count, value: )" + std::to_string(count) + R"(}
      - {name: out, value: ")" + dir.Join("spout.tsv") + R"("}
bolts:
  - id: loop
    className: LoopBolt
    parallelism: 2
    properties: [{name: hops, value: 1}]
  - {id: relay, className: RelayBolt, parallelism: 2}
  - id: copy
    className: SlowBolt
    parallelism: 2
    properties: [{name: sleep.us, value: 500}]
  - id: sink
    className: FileSinkBolt
    properties: [{name: path, value: ")" + dir.Join("sink-{task}.tsv") + R"("}]
  - id: copies
    className: FileSinkBolt
    properties: [{name: path, value: ")" + dir.Join("copies-{task}.tsv") + R"("}]
streams:
  - {from: ids, to: loop, grouping: {type: FIELDS, args: [id]}}
  - {from: loop, to: relay, grouping: {type: FIELDS, args: [id], streamId: done}}
  - {from: relay, to: sink, grouping: {type: GLOBAL}}
  - {from: ids, to: copy, grouping: {type: ALL}}
  - {from: copy, to: copies, grouping: {type: GLOBAL}}
)";
}

// Every id acked exactly once by the spout, and in both sinks; how many
// ids were emitted again (their first tree failed or timed out).
int SlurmTopologyTest::ExpectEveryTreeAcked(int count) const {
  const ScratchDir& dir = dir_;
  std::istringstream in(ReadFile(dir.Join("spout.tsv")));
  std::int64_t id;
  int acks, fails, emits, rows = 0, not_acked = 0, replayed = 0;
  while (in >> id >> acks >> fails >> emits) {
    ++rows;
    if (acks != 1) ++not_acked;
    if (emits > 1) ++replayed;
  }
  EXPECT_EQ(rows, count);
  EXPECT_EQ(not_acked, 0);
  for (const char* sink : {"sink-", "copies-"}) {
    std::set<std::int64_t> seen;
    for (const std::string& line : ReadLines(dir, sink)) {
      if (!line.empty()) seen.insert(std::stoll(line));
    }
    EXPECT_EQ(seen.size(), static_cast<std::size_t>(count)) << sink;
  }
  return replayed;
}

TEST_F(SlurmTopologyTest, LostHostsContainersRunAgainElsewhereAndEveryTreeIsAcked) {
  constexpr int kCount = 40000;
  name_ = "slurm-loss";
  std::map<std::string, std::string> placed;
  ASSERT_NO_FATAL_FAILURE(SubmitMidRun(kCount, &placed));
  // Lose a host that runs container 1 or 2 but neither the spout's
  // container 0 (a spout's unacked ids live in its memory: a replayable
  // source such as Kafka survives its loss, this test spout does not) nor
  // the master (the next test's).
  int victim = -1;
  for (const char* process : {"executor-1", "executor-2"}) {
    if (placed[process] != placed["executor-0"] && placed[process] != placed["tmaster"]) {
      victim = HostIndex(placed[process]);
    }
  }
  ASSERT_GE(victim, 0) << QueuedJobs();
  const auto lost = std::chrono::steady_clock::now();
  cluster_->LoseHost(victim);
  ASSERT_TRUE(RunsAgainWithout(victim)) << QueuedJobs() << Gale("status " + name_).out;
  const auto took = std::chrono::steady_clock::now() - lost;
  EXPECT_LT(took, std::chrono::seconds(60));
  std::printf("containers of the lost host ran again after %.1f s\n",
              std::chrono::duration<double>(took).count());
  // The trees in flight through the lost host timed out and were replayed.
  EXPECT_GT(FinishAndCount(kCount), 0);
  cluster_->RestoreHost(victim);
}

TEST_F(SlurmTopologyTest, LosingTheMastersHostStartsANewMasterElsewhere) {
  constexpr int kCount = 20000;
  name_ = "slurm-master";
  std::map<std::string, std::string> placed;
  ASSERT_NO_FATAL_FAILURE(SubmitMidRun(kCount, &placed));
  // Least-loaded placement puts the four jobs on three hosts in order: the
  // master never shares the spout's host.
  ASSERT_NE(placed["tmaster"], placed["executor-0"]) << QueuedJobs();
  const int victim = HostIndex(placed["tmaster"]);
  ASSERT_GE(victim, 0);
  cluster_->LoseHost(victim);
  ASSERT_TRUE(RunsAgainWithout(victim)) << QueuedJobs() << Gale("status " + name_).out;
  FinishAndCount(kCount);
  cluster_->RestoreHost(victim);
}

TEST_F(SlurmTopologyTest, AZooKeeperRestartMidRunLosesNothing) {
  constexpr int kCount = 30000;
  name_ = "slurm-zk";
  std::map<std::string, std::string> placed;
  ASSERT_NO_FATAL_FAILURE(SubmitMidRun(kCount, &placed));
  const std::string jobs = JobIds();
  ASSERT_TRUE(cluster_->ZooKeeper().Restart());
  CommandResult wait = Gale("wait " + name_ + " --timeout 240", 300);
  ASSERT_EQ(wait.exit_code, 0) << wait.err << Gale("status " + name_).out;
  // Nothing was replaced: the jobs kept running through the restart.
  EXPECT_EQ(JobIds(), jobs);
  FinishAndCount(kCount);
}

}  // namespace
}  // namespace gale
