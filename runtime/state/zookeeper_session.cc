#include "state/zookeeper_session.h"

#include <zookeeper/zookeeper.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "common/log.h"

namespace gale::state {
namespace {

std::shared_ptr<spdlog::logger> Log() { return Logger("zookeeper"); }

// The client library's own messages (one per failed connection attempt
// while a server is down) go to the debug level; the state changes that
// matter are logged by the session below.
void LibraryLog(const char* message) { Log()->debug("{}", message); }

bool ConnectionTrouble(int rc) {
  return rc == ZCONNECTIONLOSS || rc == ZOPERATIONTIMEOUT || rc == ZSESSIONEXPIRED ||
         rc == ZINVALIDSTATE || rc == ZCLOSING || rc == ZSESSIONMOVED;
}

}  // namespace

int EnsureParents(zhandle_t* zh, const std::string& path, const std::string& base,
                  const ACL_vector* acl) {
  std::size_t pos = base.size();
  while (true) {
    pos = path.find('/', pos + 1);
    if (pos == std::string::npos) return ZOK;
    std::string node = path.substr(0, pos);
    int rc = zoo_create(zh, node.c_str(), nullptr, -1, acl, 0, nullptr, 0);
    if (rc != ZOK && rc != ZNODEEXISTS) return rc;
  }
}

int EnsurePath(zhandle_t* zh, const std::string& path) {
  int rc = EnsureParents(zh, path, "", &ZOO_OPEN_ACL_UNSAFE);
  if (rc != ZOK) return rc;
  rc = zoo_create(zh, path.c_str(), nullptr, -1, &ZOO_OPEN_ACL_UNSAFE, 0, nullptr, 0);
  return rc == ZNODEEXISTS ? ZOK : rc;
}

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

void WatchState::Fire() {
  {
    std::lock_guard<std::mutex> lock(mu);
    fired = true;
  }
  cv.notify_all();
}

ZooKeeperSession::ZooKeeperSession(const ZooKeeperOptions& options)
    : options_(options),
      description_("ZooKeeper at " + options.connect),
      location_("ZooKeeper " + options.connect + options.root) {}

ZooKeeperSession::~ZooKeeperSession() { Stop(); }

Result<std::shared_ptr<ZooKeeperSession>> ZooKeeperSession::Open(
    const ZooKeeperOptions& options) {
  static std::once_flag quiet;
  std::call_once(quiet, [] { zoo_set_debug_level(ZOO_LOG_LEVEL_WARN); });
  std::shared_ptr<ZooKeeperSession> session(new ZooKeeperSession(options));
  GALE_RETURN_IF_ERROR(session->Connect());
  session->keeper_ = std::thread([s = session.get()] { s->KeeperLoop(); });
  return session;
}

Status ZooKeeperSession::Connect() {
  zhandle_t* zh = NewHandle();
  if (zh == nullptr) {
    return InvalidArgument("cannot use zookeeper.connect '" + options_.connect +
                           "': " + std::strerror(errno) + " (expected host:port[,host:port...])");
  }
  {
    std::unique_lock<std::shared_mutex> lock(handle_mu_);
    zh_ = zh;
    current_.store(zh);
  }
  std::unique_lock<std::mutex> lock(mu_);
  bool up = cv_.wait_for(lock, std::chrono::milliseconds(options_.connect_timeout_ms),
                         [&] { return zoo_state(zh) == ZOO_CONNECTED_STATE; });
  lock.unlock();
  if (!up) {
    Close();
    return Unavailable("cannot reach " + description_ + ": no server answered within " +
                       std::to_string(options_.connect_timeout_ms) +
                       " ms; start ZooKeeper or fix zookeeper.connect in the cluster file");
  }
  Log()->debug("connected to {} (session timeout {} ms)", options_.connect,
               zoo_recv_timeout(zh));
  return Status::Ok();
}

void ZooKeeperSession::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (keeper_.joinable()) keeper_.join();
  Close();
}

int ZooKeeperSession::Call(const std::function<int(zhandle_t*)>& f) const {
  std::shared_lock<std::shared_mutex> lock(handle_mu_);
  if (zh_ == nullptr || zoo_state(zh_) != ZOO_CONNECTED_STATE) return ZCONNECTIONLOSS;
  return f(zh_);
}

Status ZooKeeperSession::Failure(int rc, const std::string& what) const {
  if (ConnectionTrouble(rc)) {
    return Unavailable("cannot reach " + description_ + " (" + what + ": " + zerror(rc) +
                       "); is ZooKeeper running and reachable? (zookeeper.connect in the "
                       "cluster file)");
  }
  if (rc == ZNONODE) return NotFound(what + ": no such node in " + location_);
  if (rc == ZNODEEXISTS) return Status(ErrorCode::kAlreadyExists, what + ": node exists");
  if (rc == ZNOAUTH) {
    return Status(ErrorCode::kFailedPrecondition,
                  what + ": not allowed: the node belongs to another ZooKeeper identity (set "
                         "zookeeper.auth in the cluster file to the one that created it)");
  }
  return IoError(description_ + ": " + what + ": " + zerror(rc));
}

bool ZooKeeperSession::connected() const {
  std::shared_lock<std::shared_mutex> lock(handle_mu_);
  return zh_ != nullptr && zoo_state(zh_) == ZOO_CONNECTED_STATE;
}

std::int64_t ZooKeeperSession::session_id() const {
  std::shared_lock<std::shared_mutex> lock(handle_mu_);
  return zh_ == nullptr ? 0 : zoo_client_id(zh_)->client_id;
}

std::string ZooKeeperSession::session_password() const {
  std::shared_lock<std::shared_mutex> lock(handle_mu_);
  if (zh_ == nullptr) return "";
  const clientid_t* id = zoo_client_id(zh_);
  return std::string(id->passwd, sizeof id->passwd);
}

int ZooKeeperSession::CreateEphemeral(zhandle_t* zh, const Ephemeral& e) const {
  int rc = EnsureParents(zh, e.path, e.topology_path, acl());
  if (rc != ZOK) return rc;
  return zoo_create(zh, e.path.c_str(), e.data.data(), static_cast<int>(e.data.size()), acl(),
                    ZOO_EPHEMERAL, nullptr, 0);
}

void ZooKeeperSession::DeleteIfOwned(const std::string& path) const {
  (void)Call([&](zhandle_t* zh) {
    Stat st{};
    int rc = zoo_exists(zh, path.c_str(), 0, &st);
    if (rc != ZOK || st.ephemeralOwner != zoo_client_id(zh)->client_id) return rc;
    return zoo_delete(zh, path.c_str(), st.version);
  });
}

std::uint64_t ZooKeeperSession::Register(std::shared_ptr<Ephemeral> e) {
  std::lock_guard<std::mutex> lock(mu_);
  std::uint64_t id = next_id_++;
  ephemerals_[id] = std::move(e);
  return id;
}

void ZooKeeperSession::Unregister(std::uint64_t id) {
  std::lock_guard<std::mutex> lock(mu_);
  ephemerals_.erase(id);
}

void ZooKeeperSession::AddWatch(const std::string& path, const std::shared_ptr<WatchState>& w) {
  std::lock_guard<std::mutex> lock(mu_);
  auto [first, last] = watches_.equal_range(path);
  for (auto it = first; it != last;) it = it->second.expired() ? watches_.erase(it) : ++it;
  watches_.emplace(path, w);
}

void ZooKeeperSession::OnWatch(zhandle_t*, int type, int, const char* path, void* ctx) {
  if (type == ZOO_SESSION_EVENT || path == nullptr) return;  // the keeper handles those
  static_cast<ZooKeeperSession*>(ctx)->FireWatches(path);
}

zhandle_t* ZooKeeperSession::NewHandle() {
  zhandle_t* zh = zookeeper_init2(options_.connect.c_str(), &ZooKeeperSession::OnSession,
                                  options_.session_timeout_ms, nullptr, this, 0, &LibraryLog);
  if (zh != nullptr && !options_.auth.empty()) {
    // The client keeps it and sends it on every (re)connection of this
    // handle; a new handle after an expired session adds it again here. A
    // refused identity closes the session (the keeper's reconnect says so).
    zoo_add_auth(zh, "digest", options_.auth.data(), static_cast<int>(options_.auth.size()),
                 nullptr, nullptr);
  }
  return zh;
}

const ACL_vector* ZooKeeperSession::acl() const {
  return options_.auth.empty() ? &ZOO_OPEN_ACL_UNSAFE : &ZOO_CREATOR_ALL_ACL;
}

void ZooKeeperSession::Close() {
  zhandle_t* zh = nullptr;
  {
    std::unique_lock<std::shared_mutex> lock(handle_mu_);
    std::swap(zh, zh_);
    current_.store(nullptr);
  }
  if (zh != nullptr) zookeeper_close(zh);
}

void ZooKeeperSession::OnSession(zhandle_t* zh, int type, int state, const char*, void* ctx) {
  if (type != ZOO_SESSION_EVENT) return;
  auto* self = static_cast<ZooKeeperSession*>(ctx);
  {
    std::lock_guard<std::mutex> lock(self->mu_);
    if (zh == self->current_.load()) {
      if (state == ZOO_EXPIRED_SESSION_STATE) {
        self->expired_ = true;
        Log()->warn("ZooKeeper session expired; opening a new session");
      } else if (state == ZOO_CONNECTED_STATE) {
        if (self->lost_) Log()->info("reconnected to {}", self->options_.connect);
        self->lost_ = false;
      } else if (state == ZOO_CONNECTING_STATE && !self->lost_) {
        self->lost_ = true;
        Log()->warn("lost the connection to {}; state calls fail until it is back",
                    self->description_);
      }
    }
  }
  self->cv_.notify_all();
}

void ZooKeeperSession::FireWatches(const std::string& path) {
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

void ZooKeeperSession::FireAllWatches() {
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

// Replaces an expired session by a new one. The watches of the old one are
// gone: fire them all so their waiters re-read and re-arm.
void ZooKeeperSession::Renew() {
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
bool ZooKeeperSession::Restore() {
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

// Waits for expiries (then renews the session) and for the moment the new
// session is connected (then restores the ephemeral nodes).
void ZooKeeperSession::KeeperLoop() {
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

}  // namespace gale::state
