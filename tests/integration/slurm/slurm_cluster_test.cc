// The three-host Slurm test cluster (support/slurm_cluster.h) really is
// three hosts: every node is idle; `srun -w gnK` and an sbatch job run on
// host K, with host K's address; many jobs share one host; each host
// reaches ZooKeeper on the bridge address but not this machine's loopback;
// a lost host goes down in slurmctld while the others stay idle and comes
// back; and nothing of a cluster outlives it, even one that failed to
// start. Needs root, iproute2, slurm-wlm, munge and zookeeper.

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "support/run_command.h"
#include "support/slurm_cluster.h"

namespace gale {
namespace {

using testing::CommandResult;
using testing::NetNamespaceId;
using testing::ProcessesInNetNamespace;
using testing::ReadFile;
using testing::SlurmTestCluster;
using testing::WaitUntil;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Trim(std::string s) {
  s.erase(0, s.find_first_not_of(" \t\n"));
  s.erase(s.find_last_not_of(" \t\n") + 1);
  return s;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!Trim(line).empty()) lines.push_back(Trim(line));
  }
  return lines;
}

// Running or sleeping, as opposed to gone or a zombie awaiting its reaper.
bool ProcessLives(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  std::size_t paren = stat.rfind(')');
  return paren != std::string::npos && paren + 2 < stat.size() && stat[paren + 2] != 'Z';
}

// Live processes whose parent is this test process.
std::vector<pid_t> LiveChildren() {
  std::vector<pid_t> children;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::string stat = ReadFile(entry.path().string() + "/stat");
    std::size_t paren = stat.rfind(')');
    if (paren == std::string::npos) continue;
    std::istringstream rest(stat.substr(paren + 2));
    char state = 0;
    int ppid = 0;
    rest >> state >> ppid;
    if (ppid == ::getpid() && state != 'Z') children.push_back(std::stoi(name));
  }
  return children;
}

// For commands outside any cluster.
const testing::ScratchDir& scratch() {
  static testing::ScratchDir dir;
  return dir;
}

std::string NetnsList() { return testing::RunCommand("ip netns list", scratch(), 10).out; }

// What a cluster owns on the machine, recorded while it runs.
struct Footprint {
  std::vector<std::string> namespaces, links;
  std::vector<NetNamespaceId> namespace_ids;
  std::vector<pid_t> daemons;
  std::filesystem::path dir;
};

Footprint FootprintOf(const SlurmTestCluster& cluster) {
  Footprint f;
  f.links.push_back(cluster.BridgeName());
  for (int i = 0; i < cluster.size(); ++i) {
    f.namespaces.push_back(cluster.NodeNamespace(i));
    f.namespace_ids.push_back(cluster.NodeNamespaceId(i));
  }
  f.daemons = cluster.DaemonPids();
  f.dir = cluster.Dir();
  return f;
}

void ExpectNothingLeft(const Footprint& f) {
  const std::string netns = NetnsList();
  for (const std::string& ns : f.namespaces) EXPECT_THAT(netns, Not(HasSubstr(ns)));
  for (const std::string& link : f.links) {
    EXPECT_FALSE(std::filesystem::exists("/sys/class/net/" + link)) << link;
  }
  for (const NetNamespaceId& id : f.namespace_ids) {
    EXPECT_THAT(ProcessesInNetNamespace(id), ::testing::IsEmpty());
  }
  for (pid_t pid : f.daemons) EXPECT_FALSE(ProcessLives(pid)) << "daemon pid " << pid;
  EXPECT_THAT(LiveChildren(), ::testing::IsEmpty());
  EXPECT_FALSE(std::filesystem::exists(f.dir)) << f.dir;
}

// One cluster for the tests that only use it.
class SlurmClusterTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    try {
      cluster_ = std::make_unique<SlurmTestCluster>();
    } catch (const std::exception& e) {
      error_ = e.what();
    }
  }
  static void TearDownTestSuite() { cluster_.reset(); }
  void SetUp() override {
    if (!cluster_) FAIL() << "the Slurm test cluster did not start: " << error_;
  }

  static std::unique_ptr<SlurmTestCluster> cluster_;
  static std::string error_;
};
std::unique_ptr<SlurmTestCluster> SlurmClusterTest::cluster_;
std::string SlurmClusterTest::error_;

TEST_F(SlurmClusterTest, EveryNodeIsIdleInThePartition) {
  CommandResult r = cluster_->Slurm("sinfo -N -h -p " + cluster_->Partition() + " -o '%N %T'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_THAT(Lines(r.out), ::testing::ElementsAre("gn1 idle", "gn2 idle", "gn3 idle"));
  for (int i = 0; i < cluster_->size(); ++i) EXPECT_EQ(cluster_->NodeState(i), "idle");
}

TEST_F(SlurmClusterTest, SrunRunsOnTheChosenHostWithItsAddress) {
  std::vector<std::string> seen;
  for (int i = 0; i < cluster_->size(); ++i) {
    CommandResult r = cluster_->Slurm("srun -N1 -w " + cluster_->NodeName(i) + " hostname -I");
    ASSERT_EQ(r.exit_code, 0) << r.err << cluster_->Logs();
    EXPECT_EQ(Trim(r.out), cluster_->NodeAddress(i));
    seen.push_back(Trim(r.out));
  }
  // Three hosts, three addresses, none of them the bridge's.
  EXPECT_THAT(seen, ::testing::AllOf(::testing::Each(Not(cluster_->BridgeAddress())),
                                     ::testing::SizeIs(3)));
  EXPECT_NE(seen[0], seen[1]);
  EXPECT_NE(seen[1], seen[2]);
}

TEST_F(SlurmClusterTest, BatchJobRunsOnTheChosenHost) {
  const std::string out = (cluster_->Dir() / "job.out").string();
  const std::string script = cluster_->Scratch().Write(
      "job.sh", "#!/bin/bash\necho \"$SLURMD_NODENAME $(hostname -I)\"\necho done\n");
  CommandResult r = cluster_->Slurm("sbatch --parsable -w gn2 -o " + out + " " + script);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(WaitUntil([&] { return ReadFile(out).find("done") != std::string::npos; }, 30))
      << ReadFile(out) << cluster_->Logs();
  EXPECT_EQ(Lines(ReadFile(out)).at(0), "gn2 " + cluster_->NodeAddress(1));
}

// OverSubscribe: more jobs than CPUs run on one host at once (a topology
// puts several containers on a host); cancelled, they leave no process.
TEST_F(SlurmClusterTest, ManyJobsShareOneHostAndCancelCleanly) {
  const std::size_t jobs = 12;  // > CPUs=8
  CommandResult r = cluster_->Slurm("sbatch --parsable -w gn1 -o /dev/null --array=1-" +
                                    std::to_string(jobs) + " --wrap 'sleep 120'");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string job = Trim(r.out);
  auto running = [&] {
    return Lines(cluster_->Slurm("squeue -h -t R -w gn1 -o %i").out).size();
  };
  EXPECT_TRUE(WaitUntil([&] { return running() == jobs; }, 30))
      << cluster_->Slurm("squeue").out;
  EXPECT_THAT(cluster_->NodeState(0), ::testing::AnyOf("mixed", "allocated"));
  EXPECT_EQ(cluster_->NodeState(2), "idle");

  ASSERT_EQ(cluster_->Slurm("scancel " + job).exit_code, 0);
  // Only gn1's slurmd is left on host 0.
  const std::vector<pid_t> daemons = cluster_->DaemonPids();
  auto only_slurmd = [&] {
    std::vector<pid_t> left = cluster_->ProcessesOnNode(0);
    return left.size() == 1 &&
           std::find(daemons.begin(), daemons.end(), left[0]) != daemons.end();
  };
  EXPECT_TRUE(WaitUntil(only_slurmd, 30));
  EXPECT_TRUE(WaitUntil([&] { return cluster_->NodeState(0) == "idle"; }, 30))
      << cluster_->NodeState(0);
}

TEST_F(SlurmClusterTest, EveryHostReachesZooKeeperOnTheBridgeOnly) {
  const std::string port = std::to_string(cluster_->ZooKeeper().port());
  EXPECT_EQ(cluster_->ZooKeeperConnect(), cluster_->BridgeAddress() + ":" + port);
  for (int i = 0; i < cluster_->size(); ++i) {
    CommandResult r = cluster_->OnNode(
        i, "bash -c 'echo srvr | nc -N -w 2 " + cluster_->BridgeAddress() + " " + port + "'");
    EXPECT_THAT(r.out, HasSubstr("Mode: standalone")) << cluster_->NodeName(i) << r.err;
    // The host's loopback is its own: nothing listens there.
    r = cluster_->OnNode(i, "bash -c 'echo srvr | nc -N -w 2 127.0.0.1 " + port + "'");
    EXPECT_THAT(r.out, Not(HasSubstr("Mode:"))) << cluster_->NodeName(i);
  }
}

// Clusters of their own, built and destroyed in the test.
class SlurmClusterLifecycleTest : public ::testing::Test {};

TEST_F(SlurmClusterLifecycleTest, LostHostGoesDownOthersStayIdleNothingOutlivesTheCluster) {
  Footprint footprint;
  {
    SlurmTestCluster::Options options;
    options.zookeeper = false;
    SlurmTestCluster cluster(options);
    footprint = FootprintOf(cluster);
    // A job and a stray process on host 1 (gn2) die with it.
    CommandResult r = cluster.Slurm("sbatch --parsable -w gn2 -o /dev/null --wrap 'sleep 300'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_TRUE(WaitUntil([&] { return Lines(cluster.Slurm("squeue -h -t R -o %i").out).size() == 1; },
                          30));
    ASSERT_EQ(cluster.OnNode(1, "bash -c 'setsid sleep 300 > /dev/null 2>&1 &'").exit_code, 0);
    ASSERT_GE(cluster.ProcessesOnNode(1).size(), 3u);  // slurmd, slurmstepd, sleeps

    const auto lost = std::chrono::steady_clock::now();
    cluster.LoseHost(1);
    EXPECT_THAT(cluster.ProcessesOnNode(1), ::testing::IsEmpty());
    // From the bridge, the host is gone.
    EXPECT_NE(testing::RunCommand("bash -c 'echo > /dev/tcp/" + cluster.NodeAddress(1) + "/6818'",
                                  cluster.Scratch(), 5)
                  .exit_code,
              0);
    // Measured on 2 cores: "idle*" (not responding) after 9-15 s, "down*"
    // after 13-17 s with SlurmdTimeout=6 and MessageTimeout=5 (29 s with
    // the default MessageTimeout of 10); bound 60 s.
    ASSERT_TRUE(WaitUntil([&] { return cluster.NodeState(1).rfind("down", 0) == 0; }, 60))
        << cluster.NodeState(1) << "\n" << cluster.Logs();
    const auto down_after = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - lost);
    std::printf("gn2 down %lld s after the loss\n", static_cast<long long>(down_after.count()));
    EXPECT_EQ(cluster.NodeState(0), "idle");
    EXPECT_EQ(cluster.NodeState(2), "idle");

    // Power back: it returns to service (ReturnToService=2).
    ASSERT_EQ(cluster.Slurm("scancel --partition=" + cluster.Partition()).exit_code, 0);
    cluster.RestoreHost(1);
    EXPECT_TRUE(WaitUntil([&] { return cluster.NodeState(1) == "idle"; }, 30))
        << cluster.NodeState(1);
    CommandResult srun = cluster.Slurm("srun -N1 -w gn2 hostname -I");
    EXPECT_EQ(Trim(srun.out), cluster.NodeAddress(1)) << srun.err;

    // Left running at destruction: a job and a stray process on host 0.
    r = cluster.Slurm("sbatch --parsable -w gn1 -o /dev/null --wrap 'sleep 300'");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    ASSERT_EQ(cluster.OnNode(0, "bash -c 'setsid sleep 300 > /dev/null 2>&1 &'").exit_code, 0);
    footprint.daemons = cluster.DaemonPids();
  }
  ExpectNothingLeft(footprint);
}

TEST_F(SlurmClusterLifecycleTest, ClusterThatFailsToStartLeavesNothing) {
  const std::string before = NetnsList();
  const std::string tag = "gale-slurm-" + std::to_string(::getpid()) + "-";
  try {
    SlurmTestCluster::Options options;
    options.extra_config = "NoSuchSlurmOption=1";
    options.ready_timeout_s = 30;
    SlurmTestCluster cluster(options);
    ADD_FAILURE() << "a slurm.conf slurmctld cannot parse started a cluster";
  } catch (const std::runtime_error& e) {
    // The error carries slurmctld's own complaint.
    EXPECT_THAT(e.what(), HasSubstr("NoSuchSlurmOption")) << e.what();
  }
  EXPECT_THAT(NetnsList(), Not(HasSubstr(tag)));
  for (const auto& entry : std::filesystem::directory_iterator("/sys/class/net")) {
    const std::string link = entry.path().filename().string();
    EXPECT_THAT(link, Not(::testing::StartsWith("gsb" + std::to_string(::getpid()) + "x")));
    EXPECT_THAT(link, Not(::testing::StartsWith("gsv" + std::to_string(::getpid()) + "x")));
  }
  EXPECT_THAT(LiveChildren(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace gale
