#include "state/zookeeper_state_manager.h"

#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>

#include "common/names.h"
#include "state/zookeeper_session.h"

namespace gale::state {
namespace {

// ZooKeeper's default jute.maxbuffer is 1 MiB per node.
constexpr std::size_t kMaxNodeBytes = (1u << 20) - 1024;

using Clock = std::chrono::steady_clock;

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// The parent of "/a/b/c": "/a/b".
std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Refuses a name that is not a topology's before it becomes part of a path.
Status CheckName(const std::string& topology) {
  if (ValidTopologyName(topology)) return Status::Ok();
  return InvalidArgument("'" + topology.substr(0, kMaxTopologyName) +
                         "' is not a topology name (letters, digits, '.', '_' and '-', not "
                         "starting with '.', at most " + std::to_string(kMaxTopologyName) +
                         " characters)");
}

class ZkLock final : public StateLock {
 public:
  ZkLock(std::shared_ptr<ZooKeeperSession> session, std::uint64_t id,
         std::shared_ptr<Ephemeral> e)
      : session_(std::move(session)), id_(id), e_(std::move(e)) {}
  ~ZkLock() override {
    session_->Unregister(id_);
    if (!e_->lost.load()) session_->DeleteIfOwned(e_->path);
  }
  bool Held() const override { return !e_->lost.load(); }

 private:
  std::shared_ptr<ZooKeeperSession> session_;
  std::uint64_t id_;
  std::shared_ptr<Ephemeral> e_;
};

class ZkAliveEntry final : public AliveEntry {
 public:
  ZkAliveEntry(std::shared_ptr<ZooKeeperSession> session, std::uint64_t id,
               std::shared_ptr<Ephemeral> e)
      : session_(std::move(session)), id_(id), e_(std::move(e)) {}
  ~ZkAliveEntry() override {
    session_->Unregister(id_);
    session_->DeleteIfOwned(e_->path);
  }

 private:
  std::shared_ptr<ZooKeeperSession> session_;
  std::uint64_t id_;
  std::shared_ptr<Ephemeral> e_;
};

class ZkWatch final : public Watch {
 public:
  explicit ZkWatch(std::shared_ptr<WatchState> w) : w_(std::move(w)) {}
  Result<bool> Wait(std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(w_->mu);
    return w_->cv.wait_for(lock, timeout, [&] { return w_->fired; });
  }

 private:
  std::shared_ptr<WatchState> w_;
};

}  // namespace

Result<std::unique_ptr<ZooKeeperStateManager>> ZooKeeperStateManager::Open(
    const ZooKeeperOptions& options, const std::string& local_root) {
  if (options.connect.empty()) {
    return InvalidArgument(
        "zookeeper.connect is empty: name the servers as host:port[,host:port...]");
  }
  auto session = ZooKeeperSession::Open(options);
  if (!session.ok()) return session.status();
  const std::string topologies = options.root + "/topologies";
  int rc = (*session)->Call([&](zhandle_t* zh) { return EnsurePath(zh, topologies); });
  if (rc != ZOK) return (*session)->Failure(rc, "create " + topologies);
  return std::unique_ptr<ZooKeeperStateManager>(
      new ZooKeeperStateManager(std::move(session).value(), local_root));
}

ZooKeeperStateManager::ZooKeeperStateManager(std::shared_ptr<ZooKeeperSession> session,
                                             const std::string& local_root)
    : session_(std::move(session)), local_(local_root) {}

ZooKeeperStateManager::~ZooKeeperStateManager() { session_->Stop(); }

const std::string& ZooKeeperStateManager::root() const { return session_->location(); }

ZooKeeperStateManager::Session ZooKeeperStateManager::session() const {
  return {session_->session_id(), session_->session_password()};
}

bool ZooKeeperStateManager::connected() const { return session_->connected(); }

bool ZooKeeperStateManager::OnThisHost(const std::string& key) const {
  return IsHostLocalKey(key) || (session_->options().auth.empty() && IsSecretKey(key));
}

std::string ZooKeeperStateManager::NodePath(const std::string& topology,
                                            const std::string& key) const {
  std::string path = session_->options().root + "/topologies/" + topology;
  return key.empty() ? path : path + "/" + key;
}

Status ZooKeeperStateManager::Write(const std::string& topology, const std::string& key,
                                    const std::string& bytes) {
  if (OnThisHost(key)) return local_.Write(topology, key, bytes);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  if (bytes.size() > kMaxNodeBytes) {
    return InvalidArgument("record '" + key + "' of topology '" + topology + "' has " +
                           std::to_string(bytes.size()) + " bytes, over ZooKeeper's limit of " +
                           std::to_string(kMaxNodeBytes));
  }
  const std::string path = NodePath(topology, key);
  const int len = static_cast<int>(bytes.size());
  int rc = session_->Call([&](zhandle_t* zh) {
    int r = zoo_set(zh, path.c_str(), bytes.data(), len, -1);
    if (r != ZNONODE) return r;
    r = EnsureParents(zh, path, NodePath(topology, ""), session_->acl());
    if (r != ZOK) return r;
    r = zoo_create(zh, path.c_str(), bytes.data(), len, session_->acl(), 0, nullptr, 0);
    if (r == ZNODEEXISTS) r = zoo_set(zh, path.c_str(), bytes.data(), len, -1);
    return r;
  });
  if (rc == ZNONODE) {
    return NotFound("topology '" + topology + "' does not exist in " + session_->location() +
                    " (cannot write '" + key + "')");
  }
  if (rc != ZOK) return session_->Failure(rc, "write " + path);
  return Status::Ok();
}

Result<std::string> ZooKeeperStateManager::Read(const std::string& topology,
                                                const std::string& key) const {
  if (OnThisHost(key)) return local_.Read(topology, key);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, key);
  std::string buffer(4096, '\0');
  for (int attempt = 0; attempt < 4; ++attempt) {
    Stat st{};
    int len = static_cast<int>(buffer.size());
    int rc = session_->Call(
        [&](zhandle_t* zh) { return zoo_get(zh, path.c_str(), 0, buffer.data(), &len, &st); });
    if (rc == ZNONODE) return NotFound("no '" + key + "' for topology '" + topology + "'");
    if (rc != ZOK) return session_->Failure(rc, "read " + path);
    if (st.dataLength <= static_cast<int>(buffer.size())) {
      buffer.resize(static_cast<std::size_t>(std::max(len, 0)));
      return buffer;
    }
    buffer.assign(static_cast<std::size_t>(st.dataLength), '\0');  // it grew: read again
  }
  return Unavailable("read " + path + ": the node kept changing size");
}

Status ZooKeeperStateManager::Remove(const std::string& topology, const std::string& key) {
  if (OnThisHost(key)) return local_.Remove(topology, key);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, key);
  int rc = session_->Call([&](zhandle_t* zh) { return zoo_delete(zh, path.c_str(), -1); });
  if (rc != ZOK && rc != ZNONODE) return session_->Failure(rc, "remove " + path);
  return Status::Ok();
}

namespace {

// The sorted children of `path` (none when it does not exist).
Result<std::vector<std::string>> Children(const ZooKeeperSession& session, const std::string& path) {
  std::vector<std::string> names;
  int rc = session.Call([&](zhandle_t* zh) {
    String_vector children{};
    int r = zoo_get_children(zh, path.c_str(), 0, &children);
    if (r == ZOK) {
      names.assign(children.data, children.data + children.count);
      deallocate_String_vector(&children);
    }
    return r;
  });
  if (rc != ZOK && rc != ZNONODE) return session.Failure(rc, "list " + path);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<std::vector<std::string>> ZooKeeperStateManager::List(const std::string& topology,
                                                             const std::string& prefix) const {
  if (OnThisHost(prefix)) return local_.List(topology, prefix);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  return Children(*session_, NodePath(topology, prefix));
}

Result<std::vector<std::string>> ZooKeeperStateManager::Topologies() const {
  return Children(*session_, session_->options().root + "/topologies");
}

Result<bool> ZooKeeperStateManager::Exists(const std::string& topology) const {
  if (!ValidTopologyName(topology)) return false;
  const std::string path = NodePath(topology, "");
  int rc = session_->Call([&](zhandle_t* zh) { return zoo_exists(zh, path.c_str(), 0, nullptr); });
  if (rc == ZNONODE) return false;
  if (rc != ZOK) return session_->Failure(rc, "look up " + path);
  return true;
}

Status ZooKeeperStateManager::Create(const std::string& topology) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  GALE_RETURN_IF_ERROR(local_.Create(topology));  // logs, metrics, sockets
  const std::string path = NodePath(topology, "");
  int rc = session_->Call([&](zhandle_t* zh) {
    int r = EnsurePath(zh, Parent(path));
    if (r != ZOK) return r;
    r = zoo_create(zh, path.c_str(), nullptr, -1, session_->acl(), 0, nullptr, 0);
    return r == ZNODEEXISTS ? ZOK : r;
  });
  if (rc != ZOK) return session_->Failure(rc, "create " + path);
  return Status::Ok();
}

Status ZooKeeperStateManager::RemoveTopology(const std::string& topology) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, "");
  int rc = ZNOTEMPTY;
  // A live process may add a node while the tree goes (a late pid record):
  // go again.
  for (int attempt = 0; attempt < 5 && rc == ZNOTEMPTY; ++attempt) {
    rc = session_->Call([&](zhandle_t* zh) { return DeleteTree(zh, path); });
  }
  if (rc != ZOK) return session_->Failure(rc, "remove " + path);
  return local_.RemoveTopology(topology);
}

Result<std::unique_ptr<StateLock>> ZooKeeperStateManager::Lock(const std::string& topology,
                                                               const std::string& name) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  auto e = std::make_shared<Ephemeral>();
  e->path = NodePath(topology, "locks/" + name);
  e->topology_path = NodePath(topology, "");
  e->data = "pid=" + std::to_string(::getpid()) + "\nhost=" + HostName() + "\n";
  e->lock = true;
  int rc = session_->Call([&](zhandle_t* zh) { return session_->CreateEphemeral(zh, *e); });
  if (rc == ZNODEEXISTS) {
    auto holder = Read(topology, "locks/" + name);
    std::string who = holder.ok() ? holder.value() : std::string();
    std::replace(who.begin(), who.end(), '\n', ' ');
    while (!who.empty() && who.back() == ' ') who.pop_back();
    return Status(ErrorCode::kAlreadyExists,
                  "another live process holds " + e->path + " in " + session_->location() +
                      (who.empty() ? "" : " (" + who + ")"));
  }
  if (rc == ZNONODE) {
    return NotFound("topology '" + topology + "' does not exist in " + session_->location());
  }
  if (rc != ZOK) return session_->Failure(rc, "lock " + e->path);
  std::uint64_t id = session_->Register(e);
  return std::unique_ptr<StateLock>(std::make_unique<ZkLock>(session_, id, e));
}

Result<std::unique_ptr<StateLock>> ZooKeeperStateManager::LockWithin(
    const std::string& topology, const std::string& name, std::chrono::milliseconds wait) {
  const auto deadline = Clock::now() + wait;
  while (true) {
    auto lock = Lock(topology, name);
    if (lock.ok() || lock.status().code() != ErrorCode::kAlreadyExists) return lock;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) return lock;
    // Arm the watch, then try again: a release between the two is not missed.
    auto watch = WatchKey(topology, "locks/" + name);
    if (!watch.ok()) return watch.status();
    auto again = Lock(topology, name);
    if (again.ok() || again.status().code() != ErrorCode::kAlreadyExists) return again;
    auto fired = (*watch)->Wait(left);
    if (!fired.ok()) return fired.status();
  }
}

Result<std::unique_ptr<AliveEntry>> ZooKeeperStateManager::PublishAlive(
    const std::string& topology, const std::string& name, const std::string& bytes) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  auto e = std::make_shared<Ephemeral>();
  e->path = NodePath(topology, "alive/" + name);
  e->topology_path = NodePath(topology, "");
  e->data = bytes;
  const int len = static_cast<int>(bytes.size());
  int rc = session_->Call([&](zhandle_t* zh) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      int r = session_->CreateEphemeral(zh, *e);
      if (r != ZNODEEXISTS) return r;
      Stat st{};
      r = zoo_exists(zh, e->path.c_str(), 0, &st);
      if (r == ZNONODE) continue;
      if (r != ZOK) return r;
      if (st.ephemeralOwner == zoo_client_id(zh)->client_id) {
        return zoo_set(zh, e->path.c_str(), bytes.data(), len, -1);
      }
      // Left by the session of a process that is gone (its supervisor
      // started this one in its place): replace it.
      r = zoo_delete(zh, e->path.c_str(), st.version);
      if (r != ZOK && r != ZNONODE && r != ZBADVERSION) return r;
    }
    return int{ZNODEEXISTS};
  });
  if (rc == ZNONODE) {
    return NotFound("topology '" + topology + "' does not exist in " + session_->location());
  }
  if (rc != ZOK) return session_->Failure(rc, "publish " + e->path);
  std::uint64_t id = session_->Register(e);
  return std::unique_ptr<AliveEntry>(std::make_unique<ZkAliveEntry>(session_, id, e));
}

Result<std::string> ZooKeeperStateManager::ReadAlive(const std::string& topology,
                                                     const std::string& name) const {
  auto text = Read(topology, "alive/" + name);
  if (text.status().code() == ErrorCode::kNotFound) {
    return NotFound("'" + name + "' of topology '" + topology + "' is not alive");
  }
  return text;
}

Result<std::unique_ptr<Watch>> ZooKeeperStateManager::WatchKey(const std::string& topology,
                                                               const std::string& key) {
  if (OnThisHost(key)) return local_.WatchKey(topology, key);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, key);
  auto w = std::make_shared<WatchState>();
  session_->AddWatch(path, w);  // before arming: an event right after is not lost
  ZooKeeperSession* ctx = session_.get();
  int rc = session_->Call([&](zhandle_t* zh) {
    Stat st{};
    return zoo_wexists(zh, path.c_str(), &ZooKeeperSession::OnWatch, ctx, &st);
  });
  if (rc != ZOK && rc != ZNONODE) return session_->Failure(rc, "watch " + path);
  return std::unique_ptr<Watch>(std::make_unique<ZkWatch>(w));
}

}  // namespace gale::state
