#include "state/zookeeper_state_manager.h"

#include <unistd.h>
#include <zookeeper/zookeeper.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "common/names.h"

namespace gale::state {
namespace {

using Clock = std::chrono::steady_clock;

// ZooKeeper's default jute.maxbuffer is 1 MiB per node.
constexpr std::size_t kMaxNodeBytes = (1u << 20) - 1024;

std::shared_ptr<spdlog::logger> Log() { return Logger("zookeeper"); }

// The client library's own messages (one per failed connection attempt
// while a server is down) go to the debug level; the state changes that
// matter are logged by the keeper below.
void LibraryLog(const char* message) { Log()->debug("{}", message); }

bool ConnectionTrouble(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONEXPIRED ||
         rc == ZINVALIDSTATE || rc == ZCLOSING || rc == ZSESSIONMOVED;
}

std::string HostName() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0) return "unknown";
  return name;
}

// The parent of "/a/b/c": "/a/b".
std::string Parent(const std::string& path) { return path.substr(0, path.rfind('/')); }

// Creates every missing node strictly between `base` (which must exist) and
// `path` (not created).
int EnsureParents(zhandle_t* zh, const std::string& path, const std::string& base) {
  std::size_t pos = base.size();
  while (true) {
    pos = path.find('/', pos + 1);
    if (pos == std::string::npos) return ZOK;
    std::string node = path.substr(0, pos);
    int rc = zoo_create(zh, node.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    if (rc != ZOK && rc != ZNODEEXISTS) return rc;
  }
}

// Creates `path` and every missing node above it.
int EnsurePath(zhandle_t* zh, const std::string& path) {
  int rc = EnsureParents(zh, path, "");
  if (rc != ZOK) return rc;
  rc = zoo_create(zh, path.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
  return rc == ZNODEEXISTS ? ZOK : rc;
}

// Deletes `path` and everything under it; ZNONODE counts as done.
int DeleteTree(zhandle_t* zh, const std::string& path) {
  String_vector children{};
  int rc = zoo_get_children(zh, path.c_str(), 0, &children);
  if (rc == ZNONODE) return ZOK;
  if (rc != ZOK) return rc;
  std::vector<std::string> names(children.data, children.data + children.count);
  deallocate_String_vector(&children);
  for (const std::string& child : names) {
    rc = DeleteTree(zh, path + "/" + child);
    if (rc != ZOK) return rc;
  }
  rc = zoo_delete(zh, path.c_str(), -1);
  return rc == ZNONODE ? ZOK : rc;
}

// Refuses a name that is not a topology's before it becomes part of a path.
Status CheckName(const std::string& topology) {
  if (ValidTopologyName(topology)) return Status::Ok();
  return InvalidArgument("'" + topology.substr(0, kMaxTopologyName) +
                         "' is not a topology name (letters, digits, '.', '_' and '-', not "
                         "starting with '.', at most " + std::to_string(kMaxTopologyName) +
                         " characters)");
}

// One ephemeral node this process owns: a lock or an alive entry.
struct Ephemeral {
  std::string path;
  std::string topology_path;  // the topology node it lives under
  std::string data;
  bool lock = false;
  std::atomic<bool> lost{false};
};

struct WatchState {
  std::mutex mu;
  std::condition_variable cv;
  bool fired = false;  // guarded by mu

  void Fire() {
    {
      std::lock_guard<std::mutex> lock(mu);
      fired = true;
    }
    cv.notify_all();
  }
};

}  // namespace

class ZooKeeperStateManager::Core {
 public:
  explicit Core(ZooKeeperOptions options)
      : options(std::move(options)),
        description("ZooKeeper at " + this->options.connect),
        location("ZooKeeper " + this->options.connect + this->options.root) {}
  ~Core() { Stop(); }

  const ZooKeeperOptions options;
  const std::string description;  // "ZooKeeper at host:port,...", for errors
  const std::string location;     // "ZooKeeper host:port,.../gale", for root()

  // Opens the first session and waits for it to connect.
  Status Connect() {
    zhandle_t* zh = NewHandle();
    if (zh == nullptr) {
      return InvalidArgument("cannot use zookeeper.connect '" + options.connect +
                             "': " + std::strerror(errno) + " (expected host:port[,host:port...])");
    }
    {
      std::unique_lock<std::shared_mutex> lock(handle_mu_);
      zh_ = zh;
      current_.store(zh);
    }
    std::unique_lock<std::mutex> lock(mu_);
    bool up = cv_.wait_for(lock, std::chrono::milliseconds(options.connect_timeout_ms),
                           [&] { return zoo_state(zh) == ZOO_CONNECTED_STATE; });
    lock.unlock();
    if (!up) {
      Close();
      return Unavailable("cannot reach " + description + ": no server answered within " +
                         std::to_string(options.connect_timeout_ms) +
                         " ms; start ZooKeeper or fix zookeeper.connect in the cluster file");
    }
    Log()->debug("connected to {} (session timeout {} ms)", options.connect,
                 zoo_recv_timeout(zh));
    return Status::Ok();
  }

  void StartKeeper() { keeper_ = std::thread([this] { KeeperLoop(); }); }

  // Stops the keeper and closes the session: this process's ephemeral
  // nodes go at once.
  void Stop() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    if (keeper_.joinable()) keeper_.join();
    Close();
  }

  // Runs `f` with the handle when the client is connected; otherwise fails
  // at once with ZCONNECTIONLOSS instead of queueing behind a reconnect.
  template <typename F>
  int Call(F&& f) const {
    std::shared_lock<std::shared_mutex> lock(handle_mu_);
    if (zh_ == nullptr || zoo_state(zh_) != ZOO_CONNECTED_STATE) return ZCONNECTIONLOSS;
    return f(zh_);
  }

  Status Failure(int rc, const std::string& what) const {
    if (ConnectionTrouble(rc)) {
      return Unavailable("cannot reach " + description + " (" + what + ": " + zerror(rc) +
                         "); is ZooKeeper running and reachable? (zookeeper.connect in the "
                         "cluster file)");
    }
    if (rc == ZNONODE) return NotFound(what + ": no such node in " + description);
    if (rc == ZNODEEXISTS) return Status(ErrorCode::kAlreadyExists, what + ": node exists");
    return IoError(description + ": " + what + ": " + zerror(rc));
  }

  bool connected() const {
    std::shared_lock<std::shared_mutex> lock(handle_mu_);
    return zh_ != nullptr && zoo_state(zh_) == ZOO_CONNECTED_STATE;
  }

  Session session() const {
    std::shared_lock<std::shared_mutex> lock(handle_mu_);
    Session s;
    if (zh_ == nullptr) return s;
    const clientid_t* id = zoo_client_id(zh_);
    s.id = id->client_id;
    s.password.assign(id->passwd, sizeof id->passwd);
    return s;
  }

  // Creates `e`'s node (and missing parents under its topology) as an
  // ephemeral node of this session.
  static int CreateEphemeral(zhandle_t* zh, const Ephemeral& e) {
    int rc = EnsureParents(zh, e.path, e.topology_path);
    if (rc != ZOK) return rc;
    return zoo_create(zh, e.path.c_str(), e.data.data(), static_cast<int>(e.data.size()),
                      &ZOO_OPEN_ACL_UNSAFE, ZOO_EPHEMERAL, nullptr, 0);
  }

  // Deletes `path` if it is an ephemeral node of the current session.
  void DeleteIfOwned(const std::string& path) {
    (void)Call([&](zhandle_t* zh) {
      Stat st{};
      int rc = zoo_exists(zh, path.c_str(), 0, &st);
      if (rc != ZOK || st.ephemeralOwner != zoo_client_id(zh)->client_id) return rc;
      return zoo_delete(zh, path.c_str(), st.version);
    });
  }

  std::uint64_t Register(std::shared_ptr<Ephemeral> e) {
    std::lock_guard<std::mutex> lock(mu_);
    std::uint64_t id = next_id_++;
    ephemerals_[id] = std::move(e);
    return id;
  }
  void Unregister(std::uint64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    ephemerals_.erase(id);
  }

  // Arms nothing by itself: records `w` to be fired by an event on `path`.
  void AddWatch(const std::string& path, const std::shared_ptr<WatchState>& w) {
    std::lock_guard<std::mutex> lock(mu_);
    auto [first, last] = watches_.equal_range(path);
    for (auto it = first; it != last;) it = it->second.expired() ? watches_.erase(it) : ++it;
    watches_.emplace(path, w);
  }

  // The watcher of every exists-watch (ctx: the Core).
  static void OnWatch(zhandle_t*, int type, int, const char* path, void* ctx) {
    if (type == ZOO_SESSION_EVENT || path == nullptr) return;  // the keeper handles those
    static_cast<Core*>(ctx)->FireWatches(path);
  }

 private:
  zhandle_t* NewHandle() {
    return zookeeper_init2(options.connect.c_str(), &Core::OnSession, options.session_timeout_ms,
                           nullptr, this, 0, &LibraryLog);
  }

  void Close() {
    zhandle_t* zh = nullptr;
    {
      std::unique_lock<std::shared_mutex> lock(handle_mu_);
      std::swap(zh, zh_);
      current_.store(nullptr);
    }
    if (zh != nullptr) zookeeper_close(zh);
  }

  // Session events of every handle (ctx: the Core). Runs on the client's
  // completion thread: records and wakes, never calls the client.
  static void OnSession(zhandle_t* zh, int type, int state, const char*, void* ctx) {
    if (type != ZOO_SESSION_EVENT) return;
    auto* core = static_cast<Core*>(ctx);
    {
      std::lock_guard<std::mutex> lock(core->mu_);
      if (zh == core->current_.load()) {
        if (state == ZOO_EXPIRED_SESSION_STATE) {
          core->expired_ = true;
          Log()->warn("ZooKeeper session expired; opening a new session");
        } else if (state == ZOO_CONNECTED_STATE) {
          if (core->lost_) Log()->info("reconnected to {}", core->options.connect);
          core->lost_ = false;
        } else if (state == ZOO_CONNECTING_STATE && !core->lost_) {
          core->lost_ = true;
          Log()->warn("lost the connection to {}; state calls fail until it is back",
                      core->description);
        }
      }
    }
    core->cv_.notify_all();
  }

  void FireWatches(const std::string& path) {
    std::vector<std::shared_ptr<WatchState>> fire;
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto [first, last] = watches_.equal_range(path);
      for (auto it = first; it != last; ++it) {
        if (auto w = it->second.lock()) fire.push_back(std::move(w));
      }
      watches_.erase(first, last);
    }
    for (auto& w : fire) w->Fire();
  }

  void FireAllWatches() {
    std::vector<std::shared_ptr<WatchState>> fire;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [path, weak] : watches_) {
        if (auto w = weak.lock()) fire.push_back(std::move(w));
      }
      watches_.clear();
    }
    for (auto& w : fire) w->Fire();
  }

  // Replaces an expired session by a new one. The watches of the old one
  // are gone: fire them all so their waiters re-read and re-arm.
  void Renew() {
    zhandle_t* fresh = NewHandle();
    if (fresh == nullptr) {
      Log()->error("cannot open a new ZooKeeper session: {}", std::strerror(errno));
      return;
    }
    zhandle_t* old = nullptr;
    {
      std::unique_lock<std::shared_mutex> lock(handle_mu_);
      old = zh_;
      zh_ = fresh;
      current_.store(fresh);
    }
    if (old != nullptr) zookeeper_close(old);
    FireAllWatches();
  }

  // Re-creates the ephemeral nodes this process owns after a new session
  // began. False when the connection failed meanwhile (try again later).
  bool Restore() {
    std::vector<std::shared_ptr<Ephemeral>> owned;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto& [id, e] : ephemerals_) owned.push_back(e);
    }
    for (const auto& e : owned) {
      int rc = Call([&](zhandle_t* zh) {
        int r = CreateEphemeral(zh, *e);
        if (r != ZNODEEXISTS) return r;
        Stat st{};
        r = zoo_exists(zh, e->path.c_str(), 0, &st);
        if (r != ZOK) return r;
        return st.ephemeralOwner == zoo_client_id(zh)->client_id ? int{ZOK} : int{ZNODEEXISTS};
      });
      if (ConnectionTrouble(rc)) return false;
      if (rc == ZOK) {
        Log()->info("re-created {} in the new session", e->path);
      } else if (rc == ZNODEEXISTS && e->lock) {
        e->lost.store(true);
        Log()->error("lost the lock {}: another process took it while the session was gone",
                     e->path);
      } else if (rc == ZNODEEXISTS) {
        Log()->warn("{} was published by another process meanwhile; leaving it", e->path);
      } else {
        Log()->error("cannot re-create {}: {}", e->path, zerror(rc));
      }
    }
    return true;
  }

  // Waits for expiries (then renews the session) and for the moment the
  // new session is connected (then restores the ephemeral nodes).
  void KeeperLoop() {
    bool restore = false;
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      cv_.wait(lock, [&] {
        zhandle_t* zh = current_.load();
        bool up = zh != nullptr && zoo_state(zh) == ZOO_CONNECTED_STATE;
        return stopping_ || expired_ || (restore && up);
      });
      if (stopping_) return;
      if (expired_) {
        expired_ = false;
        lock.unlock();
        Renew();
        lock.lock();
        restore = true;
        continue;
      }
      lock.unlock();
      bool done = Restore();
      lock.lock();
      if (done) restore = false;
    }
  }

  mutable std::shared_mutex handle_mu_;  // writers: Connect, Renew, Close
  zhandle_t* zh_ = nullptr;              // guarded by handle_mu_
  std::atomic<zhandle_t*> current_{nullptr};  // zh_, readable by the callbacks

  std::mutex mu_;  // guards what follows
  std::condition_variable cv_;
  bool expired_ = false;
  bool lost_ = false;  // the connection dropped and has not come back yet
  bool stopping_ = false;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Ephemeral>> ephemerals_;
  std::multimap<std::string, std::weak_ptr<WatchState>> watches_;
  std::thread keeper_;
};

namespace {

using Core = ZooKeeperStateManager::Core;

class ZkLock final : public StateLock {
 public:
  ZkLock(std::shared_ptr<Core> core, std::uint64_t id, std::shared_ptr<Ephemeral> e)
      : core_(std::move(core)), id_(id), e_(std::move(e)) {}
  ~ZkLock() override {
    core_->Unregister(id_);
    if (!e_->lost.load()) core_->DeleteIfOwned(e_->path);
  }
  bool Held() const override { return !e_->lost.load(); }

 private:
  std::shared_ptr<Core> core_;
  std::uint64_t id_;
  std::shared_ptr<Ephemeral> e_;
};

class ZkAliveEntry final : public AliveEntry {
 public:
  ZkAliveEntry(std::shared_ptr<Core> core, std::uint64_t id, std::shared_ptr<Ephemeral> e)
      : core_(std::move(core)), id_(id), e_(std::move(e)) {}
  ~ZkAliveEntry() override {
    core_->Unregister(id_);
    core_->DeleteIfOwned(e_->path);
  }

 private:
  std::shared_ptr<Core> core_;
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
  static std::once_flag quiet;
  std::call_once(quiet, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
  if (options.connect.empty()) {
    return InvalidArgument("zookeeper.connect is empty: name the servers as host:port[,host:port...]");
  }
  auto core = std::make_shared<Core>(options);
  GALE_RETURN_IF_ERROR(core->Connect());
  const std::string topologies = options.root + "/topologies";
  int rc = core->Call([&](zhandle_t* zh) { return EnsurePath(zh, topologies); });
  if (rc != ZOK) return core->Failure(rc, "create " + topologies);
  core->StartKeeper();
  return std::unique_ptr<ZooKeeperStateManager>(new ZooKeeperStateManager(core, local_root));
}

ZooKeeperStateManager::ZooKeeperStateManager(std::shared_ptr<Core> core,
                                             const std::string& local_root)
    : core_(std::move(core)), local_(local_root) {}

ZooKeeperStateManager::~ZooKeeperStateManager() { core_->Stop(); }

const std::string& ZooKeeperStateManager::root() const { return core_->location; }

ZooKeeperStateManager::Session ZooKeeperStateManager::session() const {
  return core_->session();
}

bool ZooKeeperStateManager::connected() const { return core_->connected(); }

std::string ZooKeeperStateManager::NodePath(const std::string& topology,
                                            const std::string& key) const {
  std::string path = core_->options.root + "/topologies/" + topology;
  return key.empty() ? path : path + "/" + key;
}

Status ZooKeeperStateManager::Write(const std::string& topology, const std::string& key,
                                    const std::string& bytes) {
  if (IsHostLocalKey(key)) return local_.Write(topology, key, bytes);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  if (bytes.size() > kMaxNodeBytes) {
    return InvalidArgument("record '" + key + "' of topology '" + topology + "' has " +
                           std::to_string(bytes.size()) + " bytes, over ZooKeeper's limit of " +
                           std::to_string(kMaxNodeBytes));
  }
  const std::string path = NodePath(topology, key);
  const int len = static_cast<int>(bytes.size());
  int rc = core_->Call([&](zhandle_t* zh) {
    int r = zoo_set(zh, path.c_str(), bytes.data(), len, -1);
    if (r != ZNONODE) return r;
    r = EnsureParents(zh, path, NodePath(topology, ""));
    if (r != ZOK) return r;
    r = zoo_create(zh, path.c_str(), bytes.data(), len, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    if (r == ZNODEEXISTS) r = zoo_set(zh, path.c_str(), bytes.data(), len, -1);
    return r;
  });
  if (rc == ZNONODE) {
    return NotFound("topology '" + topology + "' does not exist in " + core_->location +
                    " (cannot write '" + key + "')");
  }
  if (rc != ZOK) return core_->Failure(rc, "write " + path);
  return Status::Ok();
}

Result<std::string> ZooKeeperStateManager::Read(const std::string& topology,
                                                const std::string& key) const {
  if (IsHostLocalKey(key)) return local_.Read(topology, key);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, key);
  std::string buffer(4096, '\0');
  for (int attempt = 0; attempt < 4; ++attempt) {
    Stat st{};
    int len = static_cast<int>(buffer.size());
    int rc = core_->Call(
        [&](zhandle_t* zh) { return zoo_get(zh, path.c_str(), 0, buffer.data(), &len, &st); });
    if (rc == ZNONODE) return NotFound("no '" + key + "' for topology '" + topology + "'");
    if (rc != ZOK) return core_->Failure(rc, "read " + path);
    if (st.dataLength <= static_cast<int>(buffer.size())) {
      buffer.resize(static_cast<std::size_t>(std::max(len, 0)));
      return buffer;
    }
    buffer.assign(static_cast<std::size_t>(st.dataLength), '\0');  // it grew: read again
  }
  return Unavailable("read " + path + ": the node kept changing size");
}

Status ZooKeeperStateManager::Remove(const std::string& topology, const std::string& key) {
  if (IsHostLocalKey(key)) return local_.Remove(topology, key);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, key);
  int rc = core_->Call([&](zhandle_t* zh) { return zoo_delete(zh, path.c_str(), -1); });
  if (rc != ZOK && rc != ZNONODE) return core_->Failure(rc, "remove " + path);
  return Status::Ok();
}

namespace {

// The sorted children of `path` (none when it does not exist).
Result<std::vector<std::string>> Children(const Core& core, const std::string& path) {
  std::vector<std::string> names;
  int rc = core.Call([&](zhandle_t* zh) {
    String_vector children{};
    int r = zoo_get_children(zh, path.c_str(), 0, &children);
    if (r == ZOK) {
      names.assign(children.data, children.data + children.count);
      deallocate_String_vector(&children);
    }
    return r;
  });
  if (rc != ZOK && rc != ZNONODE) return core.Failure(rc, "list " + path);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

Result<std::vector<std::string>> ZooKeeperStateManager::List(const std::string& topology,
                                                             const std::string& prefix) const {
  if (IsHostLocalKey(prefix)) return local_.List(topology, prefix);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  return Children(*core_, NodePath(topology, prefix));
}

Result<std::vector<std::string>> ZooKeeperStateManager::Topologies() const {
  return Children(*core_, core_->options.root + "/topologies");
}

Result<bool> ZooKeeperStateManager::Exists(const std::string& topology) const {
  if (!ValidTopologyName(topology)) return false;
  const std::string path = NodePath(topology, "");
  int rc = core_->Call([&](zhandle_t* zh) { return zoo_exists(zh, path.c_str(), 0, nullptr); });
  if (rc == ZNONODE) return false;
  if (rc != ZOK) return core_->Failure(rc, "look up " + path);
  return true;
}

Status ZooKeeperStateManager::Create(const std::string& topology) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  GALE_RETURN_IF_ERROR(local_.Create(topology));  // logs, metrics, sockets
  const std::string path = NodePath(topology, "");
  int rc = core_->Call([&](zhandle_t* zh) {
    int r = EnsurePath(zh, Parent(path));
    if (r != ZOK) return r;
    r = zoo_create(zh, path.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
    return r == ZNODEEXISTS ? ZOK : r;
  });
  if (rc != ZOK) return core_->Failure(rc, "create " + path);
  return Status::Ok();
}

Status ZooKeeperStateManager::RemoveTopology(const std::string& topology) {
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, "");
  int rc = ZNOTEMPTY;
  // A live process may add a node while the tree goes (a late pid record):
  // go again.
  for (int attempt = 0; attempt < 5 && rc == ZNOTEMPTY; ++attempt) {
    rc = core_->Call([&](zhandle_t* zh) { return DeleteTree(zh, path); });
  }
  if (rc != ZOK) return core_->Failure(rc, "remove " + path);
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
  int rc = core_->Call([&](zhandle_t* zh) { return Core::CreateEphemeral(zh, *e); });
  if (rc == ZNODEEXISTS) {
    auto holder = Read(topology, "locks/" + name);
    std::string who = holder.ok() ? holder.value() : std::string();
    std::replace(who.begin(), who.end(), '\n', ' ');
    while (!who.empty() && who.back() == ' ') who.pop_back();
    return Status(ErrorCode::kAlreadyExists,
                  "another live process holds " + e->path + " in " + core_->location +
                      (who.empty() ? "" : " (" + who + ")"));
  }
  if (rc == ZNONODE) {
    return NotFound("topology '" + topology + "' does not exist in " + core_->location);
  }
  if (rc != ZOK) return core_->Failure(rc, "lock " + e->path);
  std::uint64_t id = core_->Register(e);
  return std::unique_ptr<StateLock>(std::make_unique<ZkLock>(core_, id, e));
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
  int rc = core_->Call([&](zhandle_t* zh) {
    for (int attempt = 0; attempt < 3; ++attempt) {
      int r = Core::CreateEphemeral(zh, *e);
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
    return NotFound("topology '" + topology + "' does not exist in " + core_->location);
  }
  if (rc != ZOK) return core_->Failure(rc, "publish " + e->path);
  std::uint64_t id = core_->Register(e);
  return std::unique_ptr<AliveEntry>(std::make_unique<ZkAliveEntry>(core_, id, e));
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
  if (IsHostLocalKey(key)) return local_.WatchKey(topology, key);
  GALE_RETURN_IF_ERROR(CheckName(topology));
  const std::string path = NodePath(topology, key);
  auto w = std::make_shared<WatchState>();
  core_->AddWatch(path, w);  // before arming: an event right after is not lost
  Core* ctx = core_.get();
  int rc = core_->Call([&](zhandle_t* zh) {
    Stat st{};
    return zoo_wexists(zh, path.c_str(), &Core::OnWatch, ctx, &st);
  });
  if (rc != ZOK && rc != ZNONODE) return core_->Failure(rc, "watch " + path);
  return std::unique_ptr<Watch>(std::make_unique<ZkWatch>(w));
}

}  // namespace gale::state
