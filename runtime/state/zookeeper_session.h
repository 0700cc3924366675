#pragma once

// The ZooKeeper client session behind ZooKeeperStateManager (internal to
// the state module): the libzookeeper-mt handle, the ephemeral nodes this
// process owns and the armed watches, and a keeper thread that replaces an
// expired session. ZooKeeperStateManager's header has the state diagram.
//
// Thread-safety: every method may be called from any thread. The client
// library calls back on its own completion thread; the callbacks only
// record state and wake waiters, never call the client.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>

#include "common/status.h"
#include "state/state_manager.h"

// The client library's handle and ACL list (zookeeper/zookeeper.h).
typedef struct _zhandle zhandle_t;
struct ACL_vector;

namespace gale::state {

// One ephemeral node this process owns: a lock or an alive entry. The
// session re-creates it after an expiry.
struct Ephemeral {
  std::string path;
  std::string topology_path;  // the topology node it lives under
  std::string data;
  bool lock = false;
  std::atomic<bool> lost{false};  // a lock another session took meanwhile
};

// What a waiter on one watch blocks on.
struct WatchState {
  std::mutex mu;
  std::condition_variable cv;
  bool fired = false;  // guarded by mu

  void Fire();
};

class ZooKeeperSession {
 public:
  // Connects to `options.connect`, waiting up to connect_timeout_ms, and
  // starts the keeper. kUnavailable when no server answers in time,
  // kInvalidArgument for an address the client cannot use.
  static Result<std::shared_ptr<ZooKeeperSession>> Open(const ZooKeeperOptions& options);
  ~ZooKeeperSession();
  ZooKeeperSession(const ZooKeeperSession&) = delete;
  ZooKeeperSession& operator=(const ZooKeeperSession&) = delete;

  const ZooKeeperOptions& options() const { return options_; }
  // The ACL of a topology's nodes: only the identity of options().auth
  // when set, else open.
  const ACL_vector* acl() const;
  // "ZooKeeper at host:port,...", for errors.
  const std::string& description() const { return description_; }
  // "ZooKeeper host:port,.../root", where the state lives.
  const std::string& location() const { return location_; }

  // Stops the keeper and closes the session: this process's ephemeral
  // nodes go at once. Calls fail from then on.
  void Stop();

  // Runs `f` with the handle while the client is connected; otherwise
  // returns ZCONNECTIONLOSS at once instead of queueing behind a reconnect.
  // `f` returns a ZooKeeper error code.
  int Call(const std::function<int(zhandle_t*)>& f) const;
  // The Status for the ZooKeeper error `rc` of `what` ("read /gale/x"):
  // kUnavailable for connection trouble, kNotFound, kAlreadyExists, kIo.
  Status Failure(int rc, const std::string& what) const;
  bool connected() const;
  // Id and password of the current session.
  std::int64_t session_id() const;
  std::string session_password() const;

  // Creates `e`'s node (and missing parents under its topology) as an
  // ephemeral node of the session of `zh`.
  int CreateEphemeral(zhandle_t* zh, const Ephemeral& e) const;
  // Deletes `path` if it is an ephemeral node of the current session.
  void DeleteIfOwned(const std::string& path) const;

  // The ephemeral nodes to re-create after an expiry, by id.
  std::uint64_t Register(std::shared_ptr<Ephemeral> e);
  void Unregister(std::uint64_t id);

  // Records `w` to be fired by the next event on `path`; then arm the
  // watch with zoo_wexists(zh, path, &OnWatch, this, ...).
  void AddWatch(const std::string& path, const std::shared_ptr<WatchState>& w);
  // The watcher of every exists-watch (ctx: the session).
  static void OnWatch(zhandle_t* zh, int type, int state, const char* path, void* ctx);

 private:
  explicit ZooKeeperSession(const ZooKeeperOptions& options);
  Status Connect();
  zhandle_t* NewHandle();
  void Close();
  static void OnSession(zhandle_t* zh, int type, int state, const char* path, void* ctx);
  void FireWatches(const std::string& path);
  void FireAllWatches();
  void Renew();
  bool Restore();
  void KeeperLoop();

  const ZooKeeperOptions options_;
  const std::string description_;
  const std::string location_;

  mutable std::shared_mutex handle_mu_;       // writers: Connect, Renew, Close
  zhandle_t* zh_ = nullptr;                   // guarded by handle_mu_
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

// Path helpers; each returns a ZooKeeper error code.
// Creates every missing node strictly between `base` (which must exist)
// and `path` (not created), with `acl`.
int EnsureParents(zhandle_t* zh, const std::string& path, const std::string& base,
                  const ACL_vector* acl);
// Creates `path` and every missing node above it, open to everyone: the
// shared nodes above the topologies (gale's root and its `topologies`).
int EnsurePath(zhandle_t* zh, const std::string& path);
// Deletes `path` and everything under it; a missing node counts as done.
int DeleteTree(zhandle_t* zh, const std::string& path);

}  // namespace gale::state
