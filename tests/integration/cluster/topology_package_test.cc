// Topology packages with real processes: a submitted topology runs from its
// package after the user deleted or edited its YAML and plugin, also in a
// process restarted after SIGKILL; two submissions of the same content
// share one package, which goes with the last of them; a package store
// that cannot be written fails the submit and leaves nothing behind.

#include <signal.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/gale_cluster.h"
#include "support/private_tmpfs.h"

namespace gale {
namespace {

namespace fs = std::filesystem;
using testing::Checks;
using testing::CommandResult;
using testing::KillAndWaitForRestart;
using testing::ReadFile;
using testing::ReadLines;
using testing::RunCommand;
using testing::ScratchDir;

const std::string kGale = GALE_BIN;
const std::string kPlugin = GALE_TEST_PLUGIN;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string Mode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  char text[8];
  std::snprintf(text, sizeof text, "%o", st.st_mode & 0777);
  return text;
}

// The entries of directory `dir` (names), or none.
std::vector<std::string> Entries(const std::string& dir) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) names.push_back(e.path().filename());
  return names;
}

// A user's project outside the gale tree: a YAML topology including a
// file, a value from a --filter file and a plugin (a copy of the test
// components, built separately from gale) named by a relative path.
std::string WriteUserProject(const ScratchDir& dir, const std::string& name, int count) {
  fs::create_directories(dir.Join("project/plugins"));
  fs::create_directories(dir.Join("project/common"));
  fs::copy_file(kPlugin, dir.Join("project/plugins/libwords.so"),
                fs::copy_options::overwrite_existing);
  dir.Write("project/count.properties", "count=" + std::to_string(count) + "\n");
  dir.Write("project/common/timeouts.yaml",
            "config:\n  topology.message.timeout.secs: 5\n  topology.workers: 2\n");
  return dir.Write("project/" + name + ".yaml", R"(name: )" + name + R"(
includes:
  - {file: common/timeouts.yaml}
libraries: [plugins/libwords.so]
spouts:
  - id: ids
    className: RecordingSpout
    properties:
      - {name: count, value: ${count}}
      - {name: out, value: ")" + dir.Join("spout.tsv") + R"("}
bolts:
  - id: relay
    className: SlowBolt
    parallelism: 2
    properties: [{name: sleep.us, value: 300}]
  - id: sink
    className: FileSinkBolt
    parallelism: 2
    properties: [{name: path, value: ")" + dir.Join("sink.tsv") + R"("}]
streams:
  - {from: ids, to: relay, grouping: {type: SHUFFLE}}
  - {from: relay, to: sink, grouping: {type: SHUFFLE}}
)");
}

// Every id 1..count reached the sink, and the spout saw each tree acked once.
void ExpectEveryIdAcked(const ScratchDir& dir, int count) {
  std::set<std::int64_t> seen;
  for (const std::string& line : ReadLines(dir, "sink.tsv")) seen.insert(std::stoll(line));
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(count));
  if (!seen.empty()) {
    EXPECT_EQ(*seen.begin(), 1);
    EXPECT_EQ(*seen.rbegin(), count);
  }
  std::istringstream in(ReadFile(dir.Join("spout.tsv")));
  std::int64_t id;
  int acks, fails, emits;
  std::set<std::int64_t> acked;
  while (in >> id >> acks >> fails >> emits) {
    EXPECT_EQ(acks, 1) << "id " << id;
    acked.insert(id);
  }
  EXPECT_EQ(acked.size(), static_cast<std::size_t>(count));
}

TEST(TopologyPackage, RestartedProcessesRunTheSubmittedTopologyAfterTheUsersFilesChange) {
  ScratchDir dir;
  testing::Cluster cluster(kGale, dir);
  constexpr int kCount = 6000;
  std::string yaml = WriteUserProject(dir, "pkg-run", kCount);
  cluster.Track("pkg-run");
  auto submit = cluster.Gale("submit " + yaml + " --filter " +
                             dir.Join("project/count.properties") +
                             " -c topology.max.spout.pending=500");
  ASSERT_EQ(submit.exit_code, 0) << submit.err;

  // The package: in the state directory's store, owner only.
  const std::string store = cluster.state() + "/packages";
  std::string package;
  for (const std::string& e : Entries(store)) {
    if (e.size() == 64) package = store + "/" + e;
  }
  ASSERT_FALSE(package.empty()) << "no package in " << store;
  EXPECT_EQ(Mode(store), "700");
  EXPECT_EQ(Mode(package), "700");
  EXPECT_EQ(Mode(package + "/lib/libwords.so"), "600");
  EXPECT_EQ(Mode(package + "/files/pkg-run.yaml"), "600");
  EXPECT_TRUE(Contains(ReadFile(cluster.TopologyDir("pkg-run") + "/submit"),
                       "package_dir=" + package));

  // The user deletes the plugin and the include, and rewrites the YAML
  // and the filter: nothing of it may reach the running topology.
  fs::remove(dir.Join("project/plugins/libwords.so"));
  dir.Write("project/plugins/libwords.so", "not a library any more");
  fs::remove_all(dir.Join("project/common"));
  dir.Write("project/pkg-run.yaml", "name: pkg-run\nspouts: [{id: x, className: Nope}]\n");
  dir.Write("project/count.properties", "count=1\n");

  KillAndWaitForRestart(cluster, "pkg-run", "pids/task-2");  // a relay
  KillAndWaitForRestart(cluster, "pkg-run", "pids/stmgr-1");
  KillAndWaitForRestart(cluster, "pkg-run", "tmaster");
  auto wait = cluster.Gale("wait pkg-run --timeout 120");
  ASSERT_EQ(wait.exit_code, 0) << wait.err << cluster.Gale("status pkg-run").out;
  EXPECT_EQ(cluster.Gale("list").out.find("dead"), std::string::npos);
  auto kill = cluster.Gale("kill pkg-run");
  ASSERT_EQ(kill.exit_code, 0) << kill.err;
  ExpectEveryIdAcked(dir, kCount);
  // Its last topology gone, the package goes.
  EXPECT_EQ(Entries(store), std::vector<std::string>{});
}

TEST(TopologyPackage, TheSameSubmissionInTwoStatesSharesOnePackage) {
  ScratchDir dir;
  const std::string store = dir.Join("shared-store");
  const std::string cluster_file =
      dir.Write("cluster.yaml", "package.store: " + store + "\n");
  ScratchDir other_dir;
  testing::Cluster first(kGale, dir);
  testing::Cluster second(kGale, other_dir);
  constexpr int kCount = 2000;
  std::string yaml = WriteUserProject(dir, "pkg-shared", kCount);
  const std::string args = "--cluster " + cluster_file + " submit " + yaml + " --filter " +
                           dir.Join("project/count.properties");
  first.Track("pkg-shared");
  auto a = first.Gale(args);
  ASSERT_EQ(a.exit_code, 0) << a.err;
  std::vector<std::string> after_first = Entries(store);
  ASSERT_EQ(after_first.size(), 2u);  // the package and its references
  const std::string package = store + "/" + (after_first[0].size() == 64 ? after_first[0]
                                                                          : after_first[1]);
  struct stat before;
  ASSERT_EQ(::stat((package + "/lib/libwords.so").c_str(), &before), 0);

  second.Track("pkg-shared");
  auto b = second.Gale(args);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_EQ(Entries(store).size(), 2u);
  EXPECT_EQ(Entries(package + ".refs").size(), 2u);
  struct stat after;
  ASSERT_EQ(::stat((package + "/lib/libwords.so").c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino) << "the second submit rewrote the package";
  EXPECT_TRUE(Contains(ReadFile(second.TopologyDir("pkg-shared") + "/submit"),
                       "package_dir=" + package));

  // Killing one leaves the package to the other, whose processes still load it.
  ASSERT_EQ(first.Gale("kill --force pkg-shared").exit_code, 0);
  EXPECT_TRUE(fs::exists(package + "/MANIFEST"));
  KillAndWaitForRestart(second, "pkg-shared", "pids/task-4");  // a sink
  auto wait = second.Gale("wait pkg-shared --timeout 120");
  EXPECT_EQ(wait.exit_code, 0) << wait.err;
  ASSERT_EQ(second.Gale("kill pkg-shared").exit_code, 0);
  EXPECT_EQ(Entries(store), std::vector<std::string>{});
}

TEST(TopologyPackage, AStoreThatCannotBeWrittenFailsTheSubmitAndLeavesNothing) {
  ScratchDir dir;
  std::string yaml = WriteUserProject(dir, "pkg-full", 10);
  const std::string filter = " --filter " + dir.Join("project/count.properties");
  const std::string state = dir.Join("state");
  auto gale = [&](const std::string& cluster_file, const std::string& args) {
    return RunCommand(kGale + " --cluster " + cluster_file + " --state-dir " + state + " " + args,
                      dir, 120);
  };

  // A store that is a file.
  const std::string file = dir.Write("store-file", "x");
  CommandResult not_dir =
      gale(dir.Write("file.yaml", "package.store: " + file + "\n"), "submit " + yaml + filter);
  EXPECT_NE(not_dir.exit_code, 0);
  EXPECT_TRUE(Contains(not_dir.err, "topology 'pkg-full' was not submitted: cannot write its "
                                    "package: the package store " + file + " is not a directory"))
      << not_dir.err;
  EXPECT_EQ(ReadFile(file), "x");
  EXPECT_TRUE(Contains(gale(dir.Join("file.yaml"), "list").out, "no topologies")) << state;

  // A full store: the plugin (over 64 KiB) does not fit.
  ASSERT_GT(fs::file_size(kPlugin), 64u << 10);
  const std::string store = dir.Join("small-store");
  fs::create_directories(store);
  const std::string cluster_file = dir.Write("full.yaml", "package.store: " + store + "\n");
  testing::TmpfsRun run = testing::RunOnPrivateTmpfs(store, 64 << 10, [&] {
    Checks c;
    CommandResult submit = gale(cluster_file, "submit " + yaml + filter);
    c.Expect(submit.exit_code != 0, "submit on a full store exited 0");
    c.Expect(Contains(submit.err, "cannot write its package") &&
                 Contains(submit.err, "No space left on device") && Contains(submit.err, store),
             "unclear error: " + submit.err);
    c.Expect(Entries(store).empty(), "the store is not empty after the failed submit");
    c.Expect(Contains(gale(cluster_file, "list").out, "no topologies"),
             "a topology was left in the state");
    return c.failures();
  });
  if (run.unavailable) GTEST_SKIP() << run.failures;
  EXPECT_EQ(run.failures, "");
}

}  // namespace
}  // namespace gale
