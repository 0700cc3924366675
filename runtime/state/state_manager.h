#pragma once

// Where a topology's shared state lives, behind one interface with two
// implementations: a directory (LocalFsStateManager, the single-host
// default) and ZooKeeper (ZooKeeperStateManager). Keys are paths relative to
// the topology ("packing", "pids/task-3"); values are small records
// (records/state_records.h), written atomically so a reader never sees half
// a value.
//
//   <topology>/
//     submit            how the topology was submitted (file, libs, filters, overrides)
//     packing           task -> container (written by the topology master)
//     physical          container -> stream manager endpoint (ditto)
//     scheduler         the local scheduler's pid
//     activation        desired activation state
//     pids/<role>-<id>  one record per supervised process: pid and restarts
//     errors/<role>-<id>   why a process failed to start
//     alive/tmaster     the live topology master: pid and control endpoint (alive entry)
//     alive/stmgr-<c>   each live stream manager: pid and data endpoint (alive entry)
//     metrics/<role>-<id>  key=value counters, rewritten every second (host-local)
//     logs/<process>.log   (host-local)
//     keys              the run's CURVE keys (a secret: owner-only; launch/transport_keys.h)
//
// Logs, metrics and the instances' Unix sockets are host-local, not shared state:
// LocalDir() names the host directory for them, and the keys under
// "metrics/" and "logs/" always live there (IsHostLocalKey).
//
// Locks are exclusive and held by the returned object (flock with localfs,
// an ephemeral node with ZooKeeper). Alive entries are ephemeral: they
// vanish (read as absent) when the process that published them exits (with
// ZooKeeper: when its session ends, at most the session timeout later).
// Watches are one-shot, as in ZooKeeper: a watch fires once when its key is
// created, changed or deleted after it was armed; the caller re-reads and
// arms a new one.
//
// Errors: a call that cannot reach the state (ZooKeeper down) returns
// kUnavailable at once, never blocks for long and never aborts, so the data
// path of a running topology carries on without its state manager. Reads
// say kNotFound for a key that does not exist.
//
// Thread-safety: an implementation may be used from several threads at once;
// Lock, AliveEntry and Watch objects belong to one thread each and must be
// destroyed before the state manager.

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "records/key_values.h"
#include "records/state_records.h"

namespace gale::state {

using KeyValues = records::KeyValues;

// Held until destroyed.
class StateLock {
 public:
  virtual ~StateLock() = default;
  // False once the lock was lost: with ZooKeeper, the session ended and
  // another process took the lock before this one could take it back.
  virtual bool Held() const { return true; }
};

// An ephemeral entry; removed when destroyed, and read as absent once its
// owner process has exited.
class AliveEntry {
 public:
  virtual ~AliveEntry() = default;
};

// A one-shot watch on one key.
class Watch {
 public:
  virtual ~Watch() = default;
  // Waits up to `timeout` for the key to change or vanish since the watch was
  // armed; true once it has fired (and from then on), false on timeout.
  virtual Result<bool> Wait(std::chrono::milliseconds timeout) = 0;
};

// Keys kept in the host-local directory whatever the state manager:
// "metrics/..." and "logs/...".
bool IsHostLocalKey(const std::string& key);
// Whether `key` holds a secret of the topology: its CURVE keys ("keys") and
// its HTTP token ("http_token"). With ZooKeeper state and no
// zookeeper.auth these stay in the host-local directory (0600), never in
// an open znode.
bool IsSecretKey(const std::string& key);

class StateManager {
 public:
  virtual ~StateManager() = default;

  // The root when --state-dir is not given: $GALE_STATE_DIR, else ~/.gale,
  // else (HOME unset) /tmp/gale-<uid>; `notice` is non-empty in that last
  // case and tells the user where the state goes and how to choose.
  struct RootChoice {
    std::string root;
    std::string notice;
  };
  static RootChoice ChooseDefaultRoot();
  static std::string DefaultRoot();

  // Where the state lives, for messages (a directory, a ZooKeeper address).
  virtual const std::string& root() const = 0;
  // The host-local directory: topologies/<name>/ for logs, metrics and
  // sockets, archive/ for the logs of past runs.
  virtual const std::string& local_root() const = 0;
  // Host-local directory of a topology for logs, metrics and sockets.
  virtual std::string LocalDir(const std::string& topology) const = 0;
  std::string TopologyDir(const std::string& topology) const { return LocalDir(topology); }
  std::string Path(const std::string& topology, const std::string& key) const {
    return LocalDir(topology) + "/" + key;
  }

  // Replaces the value of `key` atomically.
  virtual Status Write(const std::string& topology, const std::string& key,
                       const std::string& bytes) = 0;
  // The value of `key`; kNotFound when it does not exist.
  virtual Result<std::string> Read(const std::string& topology,
                                   const std::string& key) const = 0;
  // Removing a key that does not exist is not an error.
  virtual Status Remove(const std::string& topology, const std::string& key) = 0;
  // Keys directly under `prefix` (such as "metrics"), sorted; empty when
  // there are none.
  virtual Result<std::vector<std::string>> List(const std::string& topology,
                                                const std::string& prefix) const = 0;

  virtual Result<std::vector<std::string>> Topologies() const = 0;
  virtual Result<bool> Exists(const std::string& topology) const = 0;
  virtual Status Create(const std::string& topology) = 0;
  // Removes the topology's shared state and its host-local directory.
  virtual Status RemoveTopology(const std::string& topology) = 0;

  // An exclusive lock named `name`; kAlreadyExists while another holder
  // (in any process) has it.
  virtual Result<std::unique_ptr<StateLock>> Lock(const std::string& topology,
                                                  const std::string& name) = 0;
  // Like Lock, but while another holder has the lock, waits up to `wait`
  // for it to be released (a watch, not polling) where the state manager
  // can see that happen (ZooKeeper); localfs tries once.
  virtual Result<std::unique_ptr<StateLock>> LockWithin(const std::string& topology,
                                                        const std::string& name,
                                                        std::chrono::milliseconds wait) {
    return Lock(topology, name);
  }
  // Publishes `bytes` under alive/<name> for as long as this process lives
  // and the returned entry exists, replacing an entry of that name left by
  // a process that is gone.
  virtual Result<std::unique_ptr<AliveEntry>> PublishAlive(const std::string& topology,
                                                           const std::string& name,
                                                           const std::string& bytes) = 0;
  // The bytes of a live alive entry; kNotFound when it was never published,
  // was removed, or its owner is gone.
  virtual Result<std::string> ReadAlive(const std::string& topology,
                                        const std::string& name) const = 0;
  // Arms a one-shot watch on `key` (which need not exist yet).
  virtual Result<std::unique_ptr<Watch>> WatchKey(const std::string& topology,
                                                  const std::string& key) = 0;

  // Typed helpers over the record codecs (records/*.h). ReadRecord is
  // kNotFound when the key is absent and kProtocol when it is malformed.
  template <typename R>
  Result<R> ReadRecord(const std::string& topology, const std::string& key) const {
    auto text = Read(topology, key);
    if (!text.ok()) return text.status();
    return records::DecodeRecord<R>(*text);
  }
  // The record of a live alive entry (ReadAlive, then decoded).
  template <typename R>
  Result<R> ReadAliveRecord(const std::string& topology, const std::string& name) const {
    auto text = ReadAlive(topology, name);
    if (!text.ok()) return text.status();
    return records::DecodeRecord<R>(*text);
  }
  template <typename R>
  Status WriteRecord(const std::string& topology, const std::string& key, const R& record) {
    return Write(topology, key, records::Encode(record));
  }

  // Untyped key=value access (used by the metrics records).
  Status WriteKv(const std::string& topology, const std::string& key, const KeyValues& kv) {
    return Write(topology, key, kv.Serialize());
  }
  Result<KeyValues> ReadKv(const std::string& topology, const std::string& key) const {
    auto text = Read(topology, key);
    if (!text.ok()) return text.status();
    return KeyValues::Parse(*text);
  }
};

// How to reach ZooKeeper (the zookeeper.* keys of the cluster file).
struct ZooKeeperOptions {
  std::string connect;            // host:port[,host:port...]
  std::string root = "/gale";     // the node under which gale keeps its state
  int session_timeout_ms = 10000;
  int connect_timeout_ms = 5000;  // how long opening waits for a first connection
  // "user:password" for ZooKeeper's digest scheme, or empty. Set: every
  // process authenticates with it and a topology's nodes (its records, its
  // CURVE keys) are created readable and writable by this identity only.
  // Empty: they are open to anyone who reaches ZooKeeper.
  std::string auth;
};

// Which state manager a process uses, as the command line and the cluster
// file chose it.
struct StateOptions {
  // The host-local directory; with localfs also where the state lives.
  std::string root;
  // Set: the shared state lives in ZooKeeper.
  std::optional<ZooKeeperOptions> zookeeper;
  // The cluster file this process was started with ("" = none); the
  // processes it starts get it too (ChildArgs).
  std::string cluster_file;

  // Global arguments giving a child gale process the same state:
  // {"--cluster", FILE} when there is a cluster file, then {"--state-dir", root}.
  std::vector<std::string> ChildArgs() const;
  // Where the state lives, for messages: the directory or
  // "ZooKeeper HOSTS under /ROOT".
  std::string Describe() const;
};

// The state manager `options` name: ZooKeeperStateManager (connected, or
// kUnavailable after connect_timeout_ms) or LocalFsStateManager.
Result<std::unique_ptr<StateManager>> OpenStateManager(const StateOptions& options);

// The directory state manager for `root` (LocalFsStateManager).
std::unique_ptr<StateManager> MakeStateManager(const std::string& root);

// Whether `pid` is a live process (not a zombie).
bool ProcessAlive(int pid);
// The start time of `pid` in clock ticks since boot (/proc/<pid>/stat field
// 22), or nullopt when it is not running.
std::optional<std::uint64_t> ProcessStartTime(int pid);
// Whether `pid` (> 1) is a live process running one of gale's roles
// (_scheduler, _tmaster, _executor, _stmgr, _instance) for `topology`,
// judged by its command line and, when `start` is not 0, its start time
// (ProcessStartTime) as recorded with the pid. A pid read from a state file
// may belong to an unrelated process by now (the topology died, the pid was
// reused, or the file was edited): check before signalling it.
bool IsTopologyProcess(int pid, const std::string& topology, std::uint64_t start = 0);
// ProcessStartTime of the calling process (0 if /proc cannot tell).
std::uint64_t SelfStartTime();

}  // namespace gale::state
