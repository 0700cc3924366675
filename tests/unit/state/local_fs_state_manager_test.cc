// The directory state manager in a private temporary directory. The lock,
// alive-entry and watch tests exercise the OS mechanisms behind them (flock,
// a child process's exit, inotify), so they use real processes and short
// real waits.

#include "state/local_fs_state_manager.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>

namespace gale::state {
namespace {

class LocalFsStateManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/gale-state-test-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    sm_ = MakeStateManager(root_);
    ASSERT_TRUE(sm_->Create("t").ok());
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string root_;
  std::unique_ptr<StateManager> sm_;
};

TEST_F(LocalFsStateManagerTest, WritesReadsListsAndRemoves) {
  EXPECT_TRUE(sm_->Exists("t").value_or(false));
  EXPECT_FALSE(sm_->Exists("other").value_or(true));
  EXPECT_EQ(sm_->Topologies().value_or({}), std::vector<std::string>{"t"});
  EXPECT_EQ(sm_->Read("t", "activation").status().code(), ErrorCode::kNotFound);
  ASSERT_TRUE(sm_->WriteRecord("t", "activation", records::Activation{false}).ok());
  ASSERT_TRUE(sm_->WriteRecord("t", "activation", records::Activation{true}).ok());
  auto a = sm_->ReadRecord<records::Activation>("t", "activation");
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_TRUE(a->active);
  ASSERT_TRUE(sm_->Write("t", "metrics/task-2", "x=1\n").ok());
  ASSERT_TRUE(sm_->Write("t", "metrics/task-1", "x=1\n").ok());
  EXPECT_EQ(sm_->List("t", "metrics").value_or({}),
            (std::vector<std::string>{"task-1", "task-2"}));
  ASSERT_TRUE(sm_->Remove("t", "metrics/task-1").ok());
  EXPECT_EQ(sm_->List("t", "metrics").value_or({}), std::vector<std::string>{"task-2"});
  auto bad = sm_->Write("t", "tmaster", "pid=x\n");
  ASSERT_TRUE(bad.ok());
  EXPECT_EQ(sm_->ReadRecord<records::MasterLocation>("t", "tmaster").status().code(),
            ErrorCode::kProtocol);
  EXPECT_EQ(sm_->ReadRecord<records::MasterLocation>("t", "none").status().code(),
            ErrorCode::kNotFound);
  ASSERT_TRUE(sm_->RemoveTopology("t").ok());
  EXPECT_FALSE(sm_->Exists("t").value_or(true));
}

TEST_F(LocalFsStateManagerTest, NamesThatLeaveTheRootAreNoTopologies) {
  // root_/topologies/../.. is root_'s parent, which exists; it must not
  // count as a topology, and nothing outside the root may be removed.
  std::filesystem::create_directories(root_ + "/outside/keep");
  for (const std::string& name : {std::string(".."), std::string("../.."),
                                 std::string("../outside"), std::string("."),
                                 std::string("a/b")}) {
    EXPECT_FALSE(sm_->Exists(name).value_or(true)) << name;
    Status removed = sm_->RemoveTopology(name);
    EXPECT_EQ(removed.code(), ErrorCode::kInvalidArgument) << name;
    EXPECT_EQ(sm_->Create(name).code(), ErrorCode::kInvalidArgument) << name;
  }
  EXPECT_TRUE(std::filesystem::exists(root_ + "/outside/keep"));
  EXPECT_TRUE(sm_->Exists("t").value_or(false));
}

TEST_F(LocalFsStateManagerTest, StateIsTheOwnersOnly) {
  namespace fs = std::filesystem;
  std::string fresh = root_ + "/fresh-root";
  auto sm = MakeStateManager(fresh);
  ASSERT_TRUE(sm->Create("p").ok());
  ASSERT_TRUE(sm->Write("p", "submit", "file=/x.yaml\noverride=sasl.password=secret\n").ok());
  ASSERT_TRUE(sm->Write("p", "metrics/task-1", "task=1\n").ok());
  auto mode = [](const std::string& path) {
    return fs::status(path).permissions() & fs::perms::all;
  };
  EXPECT_EQ(mode(fresh), fs::perms::owner_all);
  EXPECT_EQ(mode(fresh + "/topologies"), fs::perms::owner_all);
  EXPECT_EQ(mode(sm->TopologyDir("p")), fs::perms::owner_all);
  EXPECT_EQ(mode(sm->Path("p", "logs")), fs::perms::owner_all);
  EXPECT_EQ(mode(sm->Path("p", "submit")), fs::perms::owner_read | fs::perms::owner_write);
  EXPECT_EQ(mode(sm->Path("p", "metrics/task-1")),
            fs::perms::owner_read | fs::perms::owner_write);
  // An existing root chosen by the user keeps its mode.
  fs::permissions(root_, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  ASSERT_TRUE(sm_->Create("q").ok());
  EXPECT_EQ(mode(root_), fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
}

TEST_F(LocalFsStateManagerTest, RefusesARootOthersCanWriteOrOwn) {
  namespace fs = std::filesystem;
  std::string shared = root_ + "/shared";
  fs::create_directories(shared);
  fs::permissions(shared, fs::perms::all);  // 0777
  auto sm = MakeStateManager(shared);
  Status s = sm->Create("t");
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("is writable by other users"), std::string::npos) << s.message();
  EXPECT_FALSE(fs::exists(shared + "/topologies"));
  fs::permissions(shared, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec);
  EXPECT_TRUE(sm->Create("t").ok());
  if (::geteuid() == 0) {
    // Root can hand the directory to another user, as another user's would be.
    std::string theirs = root_ + "/theirs";
    fs::create_directories(theirs);
    ASSERT_EQ(::chown(theirs.c_str(), 65534, 65534), 0);
    Status owned = MakeStateManager(theirs)->Create("t");
    EXPECT_EQ(owned.code(), ErrorCode::kFailedPrecondition);
    EXPECT_NE(owned.message().find("belongs to uid 65534"), std::string::npos) << owned.message();
  }
}

TEST_F(LocalFsStateManagerTest, WithoutHomeTheDefaultRootIsTheUsersOwn) {
  const char* home = std::getenv("HOME");
  std::string saved = home != nullptr ? home : "";
  const char* env = std::getenv("GALE_STATE_DIR");
  std::string saved_env = env != nullptr ? env : "";
  ::unsetenv("GALE_STATE_DIR");
  ::unsetenv("HOME");
  EXPECT_EQ(StateManager::DefaultRoot(), "/tmp/gale-" + std::to_string(::geteuid()));
  // Not silently: the notice says where the state goes and how to choose.
  StateManager::RootChoice choice = StateManager::ChooseDefaultRoot();
  EXPECT_NE(choice.notice.find("HOME is not set"), std::string::npos) << choice.notice;
  EXPECT_NE(choice.notice.find(choice.root), std::string::npos) << choice.notice;
  EXPECT_NE(choice.notice.find("GALE_STATE_DIR"), std::string::npos) << choice.notice;
  ::setenv("GALE_STATE_DIR", "/somewhere/else", 1);
  EXPECT_EQ(StateManager::ChooseDefaultRoot().root, "/somewhere/else");
  EXPECT_EQ(StateManager::ChooseDefaultRoot().notice, "");
  ::unsetenv("GALE_STATE_DIR");
  if (home != nullptr) ::setenv("HOME", saved.c_str(), 1);
  if (env != nullptr) ::setenv("GALE_STATE_DIR", saved_env.c_str(), 1);
}

TEST_F(LocalFsStateManagerTest, RootOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give a directory to another user";
  std::string foreign = root_ + "/foreign";
  ASSERT_EQ(::mkdir(foreign.c_str(), 0700), 0);
  ASSERT_EQ(::chown(foreign.c_str(), 65534, 65534), 0);
  Status s = MakeStateManager(foreign)->Create("p");
  EXPECT_EQ(s.code(), ErrorCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("belongs to uid 65534"), std::string::npos) << s.message();
  EXPECT_FALSE(std::filesystem::exists(foreign + "/topologies"));
}

TEST_F(LocalFsStateManagerTest, LockIsExclusiveUntilReleased) {
  auto first = sm_->Lock("t", "tmaster");
  ASSERT_TRUE(first.ok()) << first.status().message();
  auto second = sm_->Lock("t", "tmaster");
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(sm_->Lock("t", "other").ok());
  first->reset();
  EXPECT_TRUE(sm_->Lock("t", "tmaster").ok());
}

TEST_F(LocalFsStateManagerTest, AliveEntryVanishesWithItsProcess) {
  auto mine = sm_->PublishAlive("t", "stmgr-0", "endpoint=tcp://a:1\n");
  ASSERT_TRUE(mine.ok()) << mine.status().message();
  EXPECT_EQ(sm_->ReadAlive("t", "stmgr-0").value_or(""), "endpoint=tcp://a:1\n");

  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    auto sm = MakeStateManager(root_);
    auto entry = sm->PublishAlive("t", "stmgr-1", "endpoint=tcp://b:2\n");
    if (!entry.ok()) ::_exit(1);
    entry->release();  // not removed: the process just ends, as with kill -9
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(sm_->ReadAlive("t", "stmgr-1").status().code(), ErrorCode::kNotFound);

  mine->reset();
  EXPECT_EQ(sm_->ReadAlive("t", "stmgr-0").status().code(), ErrorCode::kNotFound);
}

TEST_F(LocalFsStateManagerTest, WatchFiresOnceOnWriteAndOnDelete) {
  auto quiet = sm_->WatchKey("t", "physical");
  ASSERT_TRUE(quiet.ok()) << quiet.status().message();
  auto none = (*quiet)->Wait(std::chrono::milliseconds(50));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);

  ASSERT_TRUE(sm_->Write("t", "physical", "version=1\n").ok());
  auto fired = (*quiet)->Wait(std::chrono::milliseconds(2000));
  ASSERT_TRUE(fired.ok());
  EXPECT_TRUE(*fired);

  auto on_delete = sm_->WatchKey("t", "physical");
  ASSERT_TRUE(on_delete.ok());
  ASSERT_TRUE(sm_->Remove("t", "physical").ok());
  auto deleted = (*on_delete)->Wait(std::chrono::milliseconds(2000));
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(*deleted);
}

}  // namespace
}  // namespace gale::state
