#include "state/log_archive.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "support/run_command.h"

namespace gale::state {
namespace {

namespace fs = std::filesystem;

// A topology directory with two log files and a packing record.
std::string MakeTopologyDir(const testing::ScratchDir& dir, const std::string& name,
                            const std::string& marker) {
  std::string topo = dir.Join("topologies/" + name);
  fs::create_directories(topo + "/logs");
  std::ofstream(topo + "/logs/task-1.log") << marker << "\n";
  std::ofstream(topo + "/logs/tmaster.log") << "master\n";
  std::ofstream(topo + "/packing") << "task=1 0 ids\n";
  return topo;
}

TEST(LogArchive, RunsToPruneKeepsTheNewest) {
  EXPECT_EQ(RunsToPrune({3, 1, 2}, 2), std::vector<int>({1}));
  EXPECT_EQ(RunsToPrune({1, 2}, 10), std::vector<int>());
  EXPECT_EQ(RunsToPrune({5, 7, 6}, 0), std::vector<int>({5, 6, 7}));
}

TEST(LogArchive, ArchivesNumberedRunsAndFindsThem) {
  testing::ScratchDir dir;
  LogArchive archive(dir.path().string(), 10);
  std::string topo = MakeTopologyDir(dir, "wc", "first");
  Result<ArchivedRun> one = archive.Archive("wc", topo, "killed");
  ASSERT_TRUE(one.ok()) << one.status().message();
  EXPECT_EQ(one->run, 1);
  EXPECT_EQ(one->dir, dir.Join("archive/wc/1"));
  EXPECT_EQ(one->log_files, 2);
  EXPECT_FALSE(fs::exists(topo + "/logs"));  // moved, not copied
  EXPECT_EQ(testing::ReadFile(one->LogsDir() + "/task-1.log"), "first\n");
  EXPECT_EQ(testing::ReadFile(one->dir + "/packing"), "task=1 0 ids\n");

  fs::remove_all(topo);
  topo = MakeTopologyDir(dir, "wc", "second");
  Result<ArchivedRun> two = archive.Archive("wc", topo, "submit failed: task-1");
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->run, 2);

  std::vector<ArchivedRun> runs = archive.Runs("wc");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].reason, "killed");
  EXPECT_EQ(runs[1].reason, "submit failed: task-1");
  EXPECT_FALSE(runs[1].archived.empty());
  EXPECT_EQ(archive.Find("wc", "latest")->run, 2);
  EXPECT_EQ(archive.Find("wc", "1")->run, 1);
  Result<ArchivedRun> missing = archive.Find("wc", "7");
  EXPECT_EQ(missing.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(missing.status().message().find("archived runs: 1, 2"), std::string::npos);
  EXPECT_EQ(archive.Find("wc", "newest").status().code(), ErrorCode::kInvalidArgument);
  EXPECT_EQ(archive.Find("other", "latest").status().code(), ErrorCode::kNotFound);
}

TEST(LogArchive, KeepsOnlyTheLastRuns) {
  testing::ScratchDir dir;
  LogArchive archive(dir.path().string(), 2);
  for (int i = 1; i <= 4; ++i) {
    std::string topo = MakeTopologyDir(dir, "wc", "run " + std::to_string(i));
    ASSERT_TRUE(archive.Archive("wc", topo, "killed").ok());
    fs::remove_all(topo);
  }
  std::vector<ArchivedRun> runs = archive.Runs("wc");
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run, 3);
  EXPECT_EQ(runs[1].run, 4);
  EXPECT_EQ(testing::ReadFile(runs[1].LogsDir() + "/task-1.log"), "run 4\n");
}

TEST(LogArchive, ZeroRunsTurnsArchivingOffAndTheEnvironmentSetsTheLimit) {
  testing::ScratchDir dir;
  LogArchive off(dir.path().string(), 0);
  std::string topo = MakeTopologyDir(dir, "wc", "x");
  EXPECT_EQ(off.Archive("wc", topo, "killed").status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_TRUE(fs::exists(topo + "/logs"));

  ::setenv(LogArchive::kKeepRunsEnv, "3", 1);
  EXPECT_EQ(LogArchive::KeepRunsFromEnv(), 3);
  ::setenv(LogArchive::kKeepRunsEnv, "0", 1);
  EXPECT_EQ(LogArchive::KeepRunsFromEnv(), 0);
  ::setenv(LogArchive::kKeepRunsEnv, "lots", 1);
  EXPECT_EQ(LogArchive::KeepRunsFromEnv(), LogArchive::kDefaultKeepRuns);
  ::unsetenv(LogArchive::kKeepRunsEnv);
  EXPECT_EQ(LogArchive::KeepRunsFromEnv(), LogArchive::kDefaultKeepRuns);
}

}  // namespace
}  // namespace gale::state
