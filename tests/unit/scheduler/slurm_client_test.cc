// SlurmClient against stand-ins for sbatch, squeue and scancel: shell
// scripts on a private PATH that record their arguments and answer as
// Slurm 22.05 does. The real commands are exercised by the Slurm cluster
// tests (tests/integration/slurm).

#include "scheduler/slurm_client.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string>

#include "support/run_command.h"

namespace gale::scheduler {
namespace {

using testing::ReadFile;
using testing::ScratchDir;

// Puts the scripts of `dir` first on PATH for the test's lifetime.
class FakeSlurm {
 public:
  explicit FakeSlurm(const ScratchDir& dir) : dir_(dir) {
    const char* path = std::getenv("PATH");
    saved_ = path != nullptr ? path : "";
    ::setenv("PATH", (dir.Join("bin") + ":" + saved_).c_str(), 1);
    std::filesystem::create_directories(dir.Join("bin"));
  }
  ~FakeSlurm() { ::setenv("PATH", saved_.c_str(), 1); }
  void Script(const std::string& name, const std::string& body) {
    std::string path = dir_.Write("bin/" + name, "#!/bin/sh\n" + body);
    ::chmod(path.c_str(), 0755);
  }

 private:
  const ScratchDir& dir_;
  std::string saved_;
};

TEST(RunTool, CapturesOutputAndExitCode) {
  auto r = RunTool({"sh", "-c", "echo out; echo err >&2; exit 3"}, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_EQ(r->out, "out\n");
  EXPECT_EQ(r->err, "err\n");
}

TEST(RunTool, AMissingProgramIsNotFound) {
  auto r = RunTool({"gale-no-such-program"}, std::chrono::seconds(10));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kNotFound);
  EXPECT_NE(r.status().message().find("'gale-no-such-program' was not found in PATH"),
            std::string::npos);
}

TEST(RunTool, AHangingCommandIsKilledAtTheDeadline) {
  auto start = std::chrono::steady_clock::now();
  auto r = RunTool({"sleep", "30"}, std::chrono::milliseconds(300));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUnavailable);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(SlurmClient, WrapCommandQuotesEveryArgumentForTheShell) {
  std::string wrapped = SlurmClient::WrapCommand({"printf", "%s|", "a b", "it's", "$HOME", ""});
  auto r = RunTool({"sh", "-c", wrapped}, std::chrono::seconds(10));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->out, "a b|it's|$HOME||");
}

TEST(SlurmClient, SubmitPassesTheJobAndReturnsItsId) {
  ScratchDir dir;
  FakeSlurm slurm(dir);
  slurm.Script("sbatch", "printf '%s\\n' \"$@\" > " + dir.Join("argv") + "\necho '4711;cl'\n");
  SlurmClient client({"debug", {"--account=a"}, std::chrono::seconds(10)});
  JobSpec job{"gale-wc-tmaster", {"/usr/bin/gale", "_job", "wc", "tmaster"}, "/shared/o-%j.out",
              {"gn2"}};
  auto id = client.Submit(job);
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, "4711");
  std::string argv = ReadFile(dir.Join("argv"));
  for (const char* want : {"--parsable\n", "--job-name=gale-wc-tmaster\n",
                           "--output=/shared/o-%j.out\n", "--partition=debug\n",
                           "--exclude=gn2\n", "--account=a\n",
                           "--wrap=exec '/usr/bin/gale' '_job' 'wc' 'tmaster'\n"}) {
    EXPECT_NE(argv.find(want), std::string::npos) << want << " in\n" << argv;
  }
}

TEST(SlurmClient, ARefusedSubmitSaysWhatSlurmSaid) {
  ScratchDir dir;
  FakeSlurm slurm(dir);
  slurm.Script("sbatch",
               "echo 'sbatch: error: invalid partition specified: nope' >&2\nexit 1\n");
  SlurmClient client({"nope", {}, std::chrono::seconds(10)});
  auto id = client.Submit({"j", {"true"}, "", {}});
  ASSERT_FALSE(id.ok());
  EXPECT_NE(id.status().message().find("sbatch refused job 'j' (exit 1): sbatch: error: "
                                       "invalid partition specified: nope"),
            std::string::npos)
      << id.status().message();
}

TEST(SlurmClient, MissingSlurmCommandsSayHowToGetThem) {
  ScratchDir dir;
  const char* path = std::getenv("PATH");
  std::string saved = path != nullptr ? path : "";
  ::setenv("PATH", dir.Join("empty").c_str(), 1);
  auto id = SlurmClient({}).Submit({"j", {"true"}, "", {}});
  ::setenv("PATH", saved.c_str(), 1);
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.status().code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(id.status().message().find("needs Slurm's client commands, but 'sbatch' was not "
                                       "found in PATH; install them"),
            std::string::npos)
      << id.status().message();
}

TEST(SlurmClient, QueryListsTheJobsSlurmStillHolds) {
  ScratchDir dir;
  FakeSlurm slurm(dir);
  slurm.Script("squeue", "printf '%s\\n' \"$@\" > " + dir.Join("argv") +
                             "\necho '12 RUNNING 1:05 None gn1'\necho '13 PENDING 0:00 BeginTime '\n");
  auto jobs = SlurmClient({}).Query({"12", "13", "14"});
  ASSERT_TRUE(jobs.ok()) << jobs.status().message();
  ASSERT_EQ(jobs->size(), 2u);
  EXPECT_EQ(jobs->at("12").state, "RUNNING");
  EXPECT_EQ(jobs->at("12").node, "gn1");
  EXPECT_EQ(jobs->at("12").run_secs, 65);
  EXPECT_EQ(jobs->at("12").reason, "None");
  EXPECT_EQ(jobs->at("13").state, "PENDING");
  EXPECT_EQ(jobs->at("13").reason, "BeginTime");
  EXPECT_EQ(jobs->at("13").node, "");
  EXPECT_NE(ReadFile(dir.Join("argv")).find("--jobs=12,13,14\n"), std::string::npos);
}

TEST(SlurmClient, ParsesSqueueDurations) {
  EXPECT_EQ(ParseSlurmDuration("0:00"), 0);
  EXPECT_EQ(ParseSlurmDuration("1:05"), 65);
  EXPECT_EQ(ParseSlurmDuration("2:01:05"), 7265);
  EXPECT_EQ(ParseSlurmDuration("1-00:00:10"), 86410);
  EXPECT_EQ(ParseSlurmDuration("INVALID"), 0);
  EXPECT_EQ(ParseSlurmDuration("5"), 0);
}

TEST(SlurmClient, CancellingAJobThatEndedIsNoError) {
  ScratchDir dir;
  FakeSlurm slurm(dir);
  slurm.Script("scancel",
               "echo 'scancel: error: Kill job error on job id 9: Invalid job id specified' "
               ">&2\nexit 1\n");
  EXPECT_TRUE(SlurmClient({}).Cancel({"9"}, "KILL").ok());
  slurm.Script("scancel", "echo 'scancel: error: Unable to contact slurm controller' >&2\nexit 1\n");
  Status s = SlurmClient({}).Cancel({"9"});
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("Unable to contact slurm controller"), std::string::npos);
}

}  // namespace
}  // namespace gale::scheduler
