// The ZooKeeper state manager against a real ZooKeeper server (one per test
// binary, each test under its own zookeeper.root): records, ephemeral alive
// entries and the master lock, watches, and what happens when the server
// restarts, the session expires, or the server is down.

#include "state/zookeeper_state_manager.h"

#include <sys/stat.h>

#include <gtest/gtest.h>
#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <functional>
#include <thread>

#include "records/state_records.h"
#include "support/run_command.h"
#include "support/zookeeper_server.h"

namespace gale::state {
namespace {

using testing::ScratchDir;
using testing::SharedZooKeeper;
using Clock = std::chrono::steady_clock;

// Waits up to `limit` for `done`, re-checking every 50 ms.
bool Eventually(const std::function<bool()>& done,
                std::chrono::seconds limit = std::chrono::seconds(30)) {
  auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

class ZooKeeperStateManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(SharedZooKeeper().Start()) << SharedZooKeeper().log();
    options_.connect = SharedZooKeeper().connect();
    options_.root = std::string("/") + ::testing::UnitTest::GetInstance()->current_test_info()->name();
    options_.session_timeout_ms = 4000;
    options_.connect_timeout_ms = 10000;
  }

  std::unique_ptr<ZooKeeperStateManager> Open() {
    auto sm = ZooKeeperStateManager::Open(options_, dir_.Join("local"));
    EXPECT_TRUE(sm.ok()) << sm.status().message();
    return sm.ok() ? std::move(sm).value() : nullptr;
  }

  ScratchDir dir_;
  ZooKeeperOptions options_;
};

TEST_F(ZooKeeperStateManagerTest, RecordsRoundTripThroughZooKeeper) {
  auto writer = Open();
  auto reader = Open();  // another session, as another process would be
  ASSERT_TRUE(writer && reader);
  EXPECT_TRUE(reader->Topologies().value_or({"x"}).empty());
  ASSERT_TRUE(writer->Create("wc").ok());
  EXPECT_TRUE(reader->Exists("wc").value_or(false));
  EXPECT_FALSE(reader->Exists("other").value_or(true));
  EXPECT_FALSE(reader->Exists("..").value_or(true));
  EXPECT_EQ(reader->Topologies().value_or({}), std::vector<std::string>{"wc"});

  records::Submission submit;
  submit.file = "/home/u/wc.yaml";
  submit.libs = {"/home/u/libwc.so"};
  submit.overrides = {"topology.workers=2"};
  records::PackingPlan packing{2, {{1, 0, "lines"}, {2, 1, "count"}}};
  records::PhysicalPlan physical{"v1.3", {{0, "tcp://127.0.0.1:4000", 77}, {1, "tcp://127.0.0.1:4001", 78}}};
  ASSERT_TRUE(writer->WriteRecord("wc", "submit", submit).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "packing", packing).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "physical", physical).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "activation", records::Activation{false}).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "activation", records::Activation{true}).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "pids/task-1", records::ProcessRecord{100, 2, ""}).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "pids/stmgr-0", records::ProcessRecord{101, 0, ""}).ok());
  ASSERT_TRUE(writer->WriteRecord("wc", "errors/task-2", records::TaskError{"no class X"}).ok());

  EXPECT_EQ(reader->ReadRecord<records::Submission>("wc", "submit").value_or({}), submit);
  EXPECT_EQ(reader->ReadRecord<records::PackingPlan>("wc", "packing").value_or({}), packing);
  EXPECT_EQ(reader->ReadRecord<records::PhysicalPlan>("wc", "physical").value_or({}), physical);
  EXPECT_TRUE(reader->ReadRecord<records::Activation>("wc", "activation").value_or({false}).active);
  EXPECT_EQ(reader->ReadRecord<records::ProcessRecord>("wc", "pids/task-1").value_or({}).restarts, 2);
  EXPECT_EQ(reader->List("wc", "pids").value_or({}),
            (std::vector<std::string>{"stmgr-0", "task-1"}));
  EXPECT_EQ(reader->List("wc", "errors").value_or({}), std::vector<std::string>{"task-2"});
  EXPECT_TRUE(reader->List("wc", "nothing").value_or({"x"}).empty());
  EXPECT_EQ(reader->Read("wc", "none").status().code(), ErrorCode::kNotFound);

  // A record larger than the first read buffer.
  std::string big(200000, 'x');
  ASSERT_TRUE(writer->Write("wc", "big", big).ok());
  EXPECT_EQ(reader->Read("wc", "big").value_or(""), big);
  EXPECT_EQ(writer->Write("wc", "huge", std::string(2 << 20, 'x')).code(),
            ErrorCode::kInvalidArgument);

  // Metrics and logs stay on this host, in the local directory.
  ASSERT_TRUE(writer->Write("wc", "metrics/task-1", "task=1\n").ok());
  EXPECT_TRUE(std::filesystem::exists(writer->Path("wc", "metrics/task-1")));
  EXPECT_EQ(writer->Read("wc", "metrics/task-1").value_or(""), "task=1\n");

  // A late write for a topology that is gone does not bring it back.
  EXPECT_EQ(writer->Write("gone", "pids/task-1", "pid=5\n").code(), ErrorCode::kNotFound);
  EXPECT_FALSE(reader->Exists("gone").value_or(true));

  ASSERT_TRUE(writer->Remove("wc", "errors/task-2").ok());
  ASSERT_TRUE(writer->Remove("wc", "errors/task-2").ok());  // already gone: fine
  EXPECT_TRUE(reader->List("wc", "errors").value_or({"x"}).empty());
  ASSERT_TRUE(writer->RemoveTopology("wc").ok());
  EXPECT_FALSE(reader->Exists("wc").value_or(true));
  EXPECT_TRUE(reader->Topologies().value_or({"x"}).empty());
  EXPECT_FALSE(std::filesystem::exists(writer->LocalDir("wc")));
  EXPECT_EQ(reader->Read("wc", "packing").status().code(), ErrorCode::kNotFound);
}

// With zookeeper.auth a topology's nodes (its records, its CURVE keys, its
// alive entries) are readable and writable only by that identity: a session
// without it, or with another one, sees the topology's name and nothing
// else; one with the same identity (another process of the topology) reads
// everything. The same records are readable by all without it.
TEST_F(ZooKeeperStateManagerTest, WithAuthATopologysNodesAreItsOwnersOnly) {
  const records::CurveKeys keys{std::string(40, 'a'), std::string(40, 'b'),
                                std::string(40, 'c'), std::string(40, 'd')};
  ZooKeeperOptions open_options = options_;
  options_.auth = "alice:secret-1";
  auto owner = Open();
  auto same = Open();
  ZooKeeperOptions mallory_options = options_;
  mallory_options.auth = "mallory:guess";
  auto mallory = ZooKeeperStateManager::Open(mallory_options, dir_.Join("mallory"));
  auto anonymous = ZooKeeperStateManager::Open(open_options, dir_.Join("anonymous"));
  ASSERT_TRUE(owner && same && mallory.ok() && anonymous.ok());

  ASSERT_TRUE(owner->Create("guarded").ok());
  ASSERT_TRUE(owner->WriteRecord("guarded", "keys", keys).ok());
  ASSERT_TRUE(owner->Write("guarded", "submit", "file=/t.yaml\n").ok());
  ASSERT_TRUE(owner->WriteRecord("guarded", "pids/task-1", records::ProcessRecord{100, 0, ""}).ok());
  auto alive = owner->PublishAlive("guarded", "tmaster", "pid=10\nendpoint=tcp://a:2\n");
  ASSERT_TRUE(alive.ok()) << alive.status().message();

  EXPECT_EQ(same->ReadRecord<records::CurveKeys>("guarded", "keys").value_or({}), keys);
  EXPECT_TRUE(same->ReadAlive("guarded", "tmaster").ok());
  for (ZooKeeperStateManager* other : {mallory->get(), anonymous->get()}) {
    EXPECT_EQ(other->Topologies().value_or({}), std::vector<std::string>{"guarded"});
    // (A session without auth looks for the secrets on its host.)
    EXPECT_FALSE(other->Read("guarded", "keys").ok());
    auto read = other->Read("guarded", "submit");
    ASSERT_FALSE(read.ok());
    EXPECT_NE(read.status().message().find("another ZooKeeper identity"), std::string::npos)
        << read.status().message();
    EXPECT_FALSE(other->Read("guarded", "pids/task-1").ok());
    EXPECT_FALSE(other->ReadAlive("guarded", "tmaster").ok());
    EXPECT_FALSE(other->List("guarded", "pids").ok());
    EXPECT_FALSE(other->Write("guarded", "activation", "active=0\n").ok());
    EXPECT_FALSE(other->Write("guarded", "pids/task-9", "pid=5\nrestarts=0\n").ok());
  }
  EXPECT_FALSE(mallory.value()->RemoveTopology("guarded").ok());
  EXPECT_EQ(same->ReadRecord<records::CurveKeys>("guarded", "keys").value_or({}), keys);

  // Without auth the records are open to anyone (positive control), but the
  // secrets never reach ZooKeeper: they stay in this host's directory, 0600.
  auto open_writer = ZooKeeperStateManager::Open(open_options, dir_.Join("open"));
  ASSERT_TRUE(open_writer.ok());
  ZooKeeperStateManager& open = **open_writer;
  ASSERT_TRUE(open.Create("open").ok());
  ASSERT_TRUE(open.WriteRecord("open", "pids/task-1", records::ProcessRecord{100, 0, ""}).ok());
  ASSERT_TRUE(open.WriteRecord("open", "keys", keys).ok());
  EXPECT_EQ(mallory.value()->ReadRecord<records::ProcessRecord>("open", "pids/task-1")
                .value_or({}).pid, 100);
  EXPECT_EQ(open.ReadRecord<records::CurveKeys>("open", "keys").value_or({}), keys);
  EXPECT_EQ(mallory.value()->Read("open", "keys").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(anonymous.value()->Read("open", "keys").status().code(), ErrorCode::kNotFound);
  struct stat st {};
  ASSERT_EQ(::stat(open.Path("open", "keys").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  alive->reset();
  EXPECT_TRUE(owner->RemoveTopology("guarded").ok());
  EXPECT_TRUE(open.RemoveTopology("open").ok());
}

TEST_F(ZooKeeperStateManagerTest, AliveEntriesVanishWithTheirSession) {
  auto owner = Open();
  auto other = Open();
  ASSERT_TRUE(owner && other);
  ASSERT_TRUE(owner->Create("t").ok());

  auto stmgr = owner->PublishAlive("t", "stmgr-0", "pid=9\nendpoint=tcp://a:1\n");
  ASSERT_TRUE(stmgr.ok()) << stmgr.status().message();
  EXPECT_EQ(other->ReadAlive("t", "stmgr-0").value_or(""), "pid=9\nendpoint=tcp://a:1\n");
  stmgr->reset();  // removed by its owner
  EXPECT_EQ(other->ReadAlive("t", "stmgr-0").status().code(), ErrorCode::kNotFound);

  auto master = owner->PublishAlive("t", "tmaster", "pid=10\nendpoint=tcp://a:2\n");
  ASSERT_TRUE(master.ok()) << master.status().message();
  auto lock = owner->Lock("t", "tmaster");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  EXPECT_EQ(other->Lock("t", "tmaster").status().code(), ErrorCode::kAlreadyExists);
  // The owner's session ends (its process exits) with the entry and the
  // lock still in place: both go with the session.
  owner.reset();
  EXPECT_EQ(other->ReadAlive("t", "tmaster").status().code(), ErrorCode::kNotFound);
  EXPECT_TRUE(other->Lock("t", "tmaster").ok());
  master->reset();  // after the manager: harmless
  lock->reset();

  // An entry left by a session that is gone is replaced by its successor.
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  auto old = first->PublishAlive("t", "stmgr-1", "pid=1\n");
  ASSERT_TRUE(old.ok());
  auto fresh = second->PublishAlive("t", "stmgr-1", "pid=2\n");
  ASSERT_TRUE(fresh.ok()) << fresh.status().message();
  EXPECT_EQ(other->ReadAlive("t", "stmgr-1").value_or(""), "pid=2\n");
}

TEST_F(ZooKeeperStateManagerTest, TheMasterLockExcludesASecondMasterUntilReleased) {
  auto first = Open();
  auto second = Open();
  ASSERT_TRUE(first && second);
  ASSERT_TRUE(first->Create("t").ok());
  auto held = first->Lock("t", "tmaster");
  ASSERT_TRUE(held.ok()) << held.status().message();
  EXPECT_TRUE((*held)->Held());

  auto refused = second->Lock("t", "tmaster");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), ErrorCode::kAlreadyExists);
  EXPECT_NE(refused.status().message().find("pid=" + std::to_string(::getpid())),
            std::string::npos)
      << refused.status().message();
  EXPECT_TRUE(second->Lock("t", "other").ok());
  EXPECT_EQ(second->Lock("nosuch", "tmaster").status().code(), ErrorCode::kNotFound);

  // A standby master waits for the lock and takes it once it is released.
  Result<std::unique_ptr<StateLock>> taken = Status(ErrorCode::kInternal, "not run");
  std::thread standby([&] { taken = second->LockWithin("t", "tmaster", std::chrono::seconds(60)); });
  held->reset();
  standby.join();
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_TRUE((*taken)->Held());
  EXPECT_EQ(first->Lock("t", "tmaster").status().code(), ErrorCode::kAlreadyExists);
}

TEST_F(ZooKeeperStateManagerTest, AWatchWakesItsWaiter) {
  auto watcher = Open();
  auto writer = Open();
  ASSERT_TRUE(watcher && writer);
  ASSERT_TRUE(writer->Create("t").ok());

  auto quiet = watcher->WatchKey("t", "physical");
  ASSERT_TRUE(quiet.ok()) << quiet.status().message();
  EXPECT_FALSE((*quiet)->Wait(std::chrono::milliseconds(100)).value_or(true));

  // Created, changed, deleted: each wakes a waiter blocked on a long wait.
  for (int step = 0; step < 3; ++step) {
    auto watch = watcher->WatchKey("t", "physical");
    ASSERT_TRUE(watch.ok()) << watch.status().message();
    Result<bool> woke = false;
    std::thread waiter([&] { woke = (*watch)->Wait(std::chrono::seconds(60)); });
    Status s = step < 2 ? writer->Write("t", "physical", "version=" + std::to_string(step) + "\n")
                        : writer->Remove("t", "physical");
    ASSERT_TRUE(s.ok()) << s.message();
    waiter.join();
    ASSERT_TRUE(woke.ok());
    EXPECT_TRUE(*woke) << "step " << step;
  }
  // The first watch saw the creation too, and stays fired.
  EXPECT_TRUE((*quiet)->Wait(std::chrono::milliseconds(0)).value_or(false));
}

TEST_F(ZooKeeperStateManagerTest, CallsFailAtOnceWhileZooKeeperIsDownAndWorkAgainAfterARestart) {
  auto sm = Open();
  auto other = Open();
  ASSERT_TRUE(sm && other);
  ASSERT_TRUE(sm->Create("t").ok());
  ASSERT_TRUE(sm->WriteRecord("t", "activation", records::Activation{false}).ok());
  auto alive = sm->PublishAlive("t", "tmaster", "pid=1\nendpoint=tcp://x:1\n");
  ASSERT_TRUE(alive.ok()) << alive.status().message();
  auto lock = sm->Lock("t", "tmaster");
  ASSERT_TRUE(lock.ok()) << lock.status().message();

  SharedZooKeeper().Kill();
  // Every call returns an error naming ZooKeeper; none blocks until the
  // server is back (it is not coming back before these return).
  auto read = sm->Read("t", "activation");
  EXPECT_EQ(read.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(read.status().message().find("cannot reach ZooKeeper at " + options_.connect),
            std::string::npos)
      << read.status().message();
  EXPECT_EQ(sm->Write("t", "activation", "active=1\n").code(), ErrorCode::kUnavailable);
  EXPECT_EQ(sm->Exists("t").status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(sm->List("t", "pids").status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(sm->PublishAlive("t", "stmgr-0", "x").status().code(), ErrorCode::kUnavailable);
  EXPECT_EQ(sm->WatchKey("t", "physical").status().code(), ErrorCode::kUnavailable);
  // Host-local keys do not need ZooKeeper.
  EXPECT_TRUE(sm->Write("t", "metrics/task-1", "task=1\n").ok());
  // Opening a new state manager gives up after its connect timeout.
  ZooKeeperOptions quick = options_;
  quick.connect_timeout_ms = 300;
  auto unreachable = ZooKeeperStateManager::Open(quick, dir_.Join("local"));
  ASSERT_FALSE(unreachable.ok());
  EXPECT_EQ(unreachable.status().code(), ErrorCode::kUnavailable);
  EXPECT_NE(unreachable.status().message().find("no server answered within 300 ms"),
            std::string::npos)
      << unreachable.status().message();

  ASSERT_TRUE(SharedZooKeeper().Start()) << SharedZooKeeper().log();
  ASSERT_TRUE(Eventually([&] { return sm->Read("t", "activation").ok(); }));
  ASSERT_TRUE(Eventually([&] { return other->ReadAlive("t", "tmaster").ok(); }));
  EXPECT_FALSE(sm->ReadRecord<records::Activation>("t", "activation").value_or({true}).active);
  EXPECT_EQ(other->ReadAlive("t", "tmaster").value_or(""), "pid=1\nendpoint=tcp://x:1\n");
  EXPECT_TRUE((*lock)->Held());
  EXPECT_EQ(other->Lock("t", "tmaster").status().code(), ErrorCode::kAlreadyExists);
  EXPECT_TRUE(sm->Write("t", "activation", "active=1\n").ok());
}

// Ends the session `s` from another client: it joins the session with its
// id and password, then closes it, as the server does when it expires a
// session. True when the session is gone (the owner moved to a new one).
bool ExpireSession(const ZooKeeperStateManager::Session& s, const std::string& connect,
                   const std::function<bool()>& renewed) {
  for (int attempt = 0; attempt < 5; ++attempt) {
    clientid_t id{};
    id.client_id = s.id;
    std::memcpy(id.passwd, s.password.data(), std::min(s.password.size(), sizeof id.passwd));
    zhandle_t* zh = zookeeper_init(connect.c_str(), nullptr, 4000, &id, nullptr, 0);
    if (zh == nullptr) return false;
    Eventually([&] { return zoo_state(zh) == ZOO_CONNECTED_STATE; }, std::chrono::seconds(10));
    zookeeper_close(zh);
    if (Eventually(renewed, std::chrono::seconds(5))) return true;
  }
  return false;
}

TEST_F(ZooKeeperStateManagerTest, AfterASessionExpiryEphemeralNodesAreRecreated) {
  auto sm = Open();
  auto other = Open();
  ASSERT_TRUE(sm && other);
  ASSERT_TRUE(sm->Create("t").ok());
  auto alive = sm->PublishAlive("t", "stmgr-0", "pid=3\n");
  ASSERT_TRUE(alive.ok()) << alive.status().message();
  auto lock = sm->Lock("t", "tmaster");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  auto watch = sm->WatchKey("t", "physical");
  ASSERT_TRUE(watch.ok());

  const auto before = sm->session();
  ASSERT_TRUE(ExpireSession(before, options_.connect,
                            [&] { return sm->session().id != before.id; }));
  // The new session re-created the entry and took the lock back.
  ASSERT_TRUE(Eventually([&] { return other->ReadAlive("t", "stmgr-0").ok(); }));
  EXPECT_EQ(other->ReadAlive("t", "stmgr-0").value_or(""), "pid=3\n");
  ASSERT_TRUE(Eventually([&] {
    return other->Lock("t", "tmaster").status().code() == ErrorCode::kAlreadyExists;
  }));
  EXPECT_TRUE((*lock)->Held());
  // Watches of the old session are gone: their waiters were woken to re-read.
  EXPECT_TRUE((*watch)->Wait(std::chrono::milliseconds(0)).value_or(false));
  EXPECT_TRUE(sm->Write("t", "physical", "version=2\n").ok());
  // Its entries belong to the new session: they go when it closes.
  sm.reset();
  alive->reset();
  lock->reset();
  EXPECT_EQ(other->ReadAlive("t", "stmgr-0").status().code(), ErrorCode::kNotFound);
}

TEST_F(ZooKeeperStateManagerTest, ALockTakenByAnotherMasterDuringTheExpiryIsLost) {
  auto sm = Open();
  auto standby = Open();
  ASSERT_TRUE(sm && standby);
  ASSERT_TRUE(sm->Create("t").ok());
  auto lock = sm->Lock("t", "tmaster");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  // The standby waits on the lock: when the old session ends, it takes it
  // at once (it is connected and watching), before the old owner has even
  // learnt that its session expired.
  Result<std::unique_ptr<StateLock>> taken = Status(ErrorCode::kInternal, "not run");
  std::thread waiter([&] { taken = standby->LockWithin("t", "tmaster", std::chrono::seconds(60)); });
  const auto before = sm->session();
  bool expired = ExpireSession(before, options_.connect,
                               [&] { return sm->session().id != before.id; });
  waiter.join();
  ASSERT_TRUE(expired);
  ASSERT_TRUE(taken.ok()) << taken.status().message();
  EXPECT_TRUE((*taken)->Held());
  ASSERT_TRUE(Eventually([&] { return !(*lock)->Held(); }));
}

}  // namespace
}  // namespace gale::state
