#pragma once

// The `zookeeper` state manager: a topology's shared records live in
// ZooKeeper (Debian's libzookeeper-mt C client), its logs, metrics and
// sockets in a host-local directory (a LocalFsStateManager on the same
// root). Node layout under ZooKeeperOptions::root (default /gale):
//
//   /gale/topologies/<name>              persistent; Exists() == this node exists
//     submit packing physical activation scheduler    persistent, one record each
//     pids/<role>-<id>  errors/<role>-<id>            persistent
//     alive/tmaster  alive/stmgr-<c>                  EPHEMERAL (PublishAlive)
//     locks/<name>                                    EPHEMERAL (Lock)
//     keys http_token      the secrets: only with zookeeper.auth, when every
//                          node under the topology is its owner's only
//                          (ACL creator-all); without it they stay in the
//                          host-local directory, 0600
//
// - Write: set, or create the node (and missing parents under the topology
//   node, never the topology node itself: a late write of a dying process
//   cannot bring back a removed topology). One znode's data is replaced
//   atomically.
// - Lock: create of an ephemeral node; ZNODEEXISTS means another session
//   holds it. LockWithin waits on an exists-watch for the node to go.
// - PublishAlive: an ephemeral node; one left by a gone process's session
//   (it lingers up to the session timeout) is replaced.
// - WatchKey: zoo_wexists, fired by the node's creation, change or deletion.
//
// Failures (design):
//
//   connected --server down/partition--> connecting: every call fails at
//       once with kUnavailable; the client library reconnects by itself
//       with the same session, which keeps ephemeral nodes and watches.
//   connecting --server back within the session timeout--> connected
//   any --session expired (the server dropped it)--> a keeper thread opens
//       a new session, re-creates every ephemeral node this process still
//       owns (a lock taken meanwhile by another process is lost: Held()
//       turns false) and fires every armed watch (callers re-read).
//
// Thread-safety: all calls may come from any thread. The session
// (state/zookeeper_session.h) owns the client handle and the keeper thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "state/local_fs_state_manager.h"
#include "state/state_manager.h"

namespace gale::state {

class ZooKeeperSession;

class ZooKeeperStateManager final : public StateManager {
 public:
  // Connects to `options.connect` (waiting up to connect_timeout_ms) and
  // makes sure `options.root`/topologies exists. kUnavailable when no server
  // answers in time, kInvalidArgument for a malformed address.
  static Result<std::unique_ptr<ZooKeeperStateManager>> Open(const ZooKeeperOptions& options,
                                                             const std::string& local_root);
  ~ZooKeeperStateManager() override;
  ZooKeeperStateManager(const ZooKeeperStateManager&) = delete;
  ZooKeeperStateManager& operator=(const ZooKeeperStateManager&) = delete;

  const std::string& root() const override;
  const std::string& local_root() const override { return local_.local_root(); }
  std::string LocalDir(const std::string& topology) const override {
    return local_.LocalDir(topology);
  }

  Status Write(const std::string& topology, const std::string& key,
               const std::string& bytes) override;
  Result<std::string> Read(const std::string& topology, const std::string& key) const override;
  Status Remove(const std::string& topology, const std::string& key) override;
  Result<std::vector<std::string>> List(const std::string& topology,
                                        const std::string& prefix) const override;

  Result<std::vector<std::string>> Topologies() const override;
  Result<bool> Exists(const std::string& topology) const override;
  Status Create(const std::string& topology) override;
  Status RemoveTopology(const std::string& topology) override;

  Result<std::unique_ptr<StateLock>> Lock(const std::string& topology,
                                          const std::string& name) override;
  Result<std::unique_ptr<StateLock>> LockWithin(const std::string& topology,
                                                const std::string& name,
                                                std::chrono::milliseconds wait) override;
  Result<std::unique_ptr<AliveEntry>> PublishAlive(const std::string& topology,
                                                   const std::string& name,
                                                   const std::string& bytes) override;
  Result<std::string> ReadAlive(const std::string& topology,
                                const std::string& name) const override;
  Result<std::unique_ptr<Watch>> WatchKey(const std::string& topology,
                                          const std::string& key) override;

  // The current session: its id and password. Another client that opens
  // the same session and closes it ends it, which is how the tests make a
  // session expire.
  struct Session {
    std::int64_t id = 0;
    std::string password;
  };
  Session session() const;
  // Whether the client is connected right now.
  bool connected() const;
  // The full ZooKeeper path of `key` of `topology`.
  std::string NodePath(const std::string& topology, const std::string& key) const;
  // Whether `key` lives in the host-local directory: metrics and logs, and
  // without zookeeper.auth the topology's secrets (IsSecretKey).
  bool OnThisHost(const std::string& key) const;

 private:
  ZooKeeperStateManager(std::shared_ptr<ZooKeeperSession> session, const std::string& local_root);

  std::shared_ptr<ZooKeeperSession> session_;
  LocalFsStateManager local_;
};

}  // namespace gale::state
