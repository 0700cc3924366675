#pragma once

// Where a topology's shared state lives, behind one interface so that a
// ZooKeeper implementation can replace the directory one without touching
// callers. Keys are paths relative to the topology ("packing", "pids/task-3");
// values are small records (records/state_records.h), written atomically so
// a reader never sees half a value.
//
//   <topology>/
//     submit            how the topology was submitted (file, libs, filters, overrides)
//     packing           task -> container (written by the topology master)
//     physical          container -> stream manager endpoint (ditto)
//     tmaster           the live topology master: pid and control endpoint
//     scheduler         the local scheduler's pid
//     activation        desired activation state
//     pids/<role>-<id>  one record per supervised process: pid and restarts
//     metrics/<role>-<id>  key=value counters, rewritten every second
//     errors/<role>-<id>   why a process failed to start
//     keys              the run's CURVE keys (a secret: owner-only; launch/transport_keys.h)
//
// Logs and ipc:// sockets are host-local, not shared state: LocalDir() names
// the host directory for them.
//
// Locks are exclusive and held by the returned object (flock with localfs,
// an ephemeral sequential node with ZooKeeper). Alive entries are ephemeral:
// they vanish (read as absent) when the process that published them exits.
// Watches are one-shot, as in ZooKeeper: a watch fires once when its key is
// created, changed or deleted after it was armed; the caller re-reads and
// arms a new one.
//
// Thread-safety: an implementation may be used from several threads at once;
// Lock, AliveEntry and Watch objects belong to one thread each.

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

class StateManager {
 public:
  virtual ~StateManager() = default;

  // Root from --state-dir, else $GALE_STATE_DIR, else ~/.gale.
  static std::string DefaultRoot();

  // Where the state lives, for messages (a directory, a ZooKeeper address).
  virtual const std::string& root() const = 0;
  // Host-local directory of a topology for logs and sockets.
  virtual std::string LocalDir(const std::string& topology) const = 0;
  std::string TopologyDir(const std::string& topology) const { return LocalDir(topology); }
  std::string Path(const std::string& topology, const std::string& key) const {
    return LocalDir(topology) + "/" + key;
  }

  // Replaces the value of `key` atomically.
  virtual Status Write(const std::string& topology, const std::string& key,
                       const std::string& bytes) = 0;
  // The value of `key`, or nullopt when it does not exist.
  virtual std::optional<std::string> Read(const std::string& topology,
                                          const std::string& key) const = 0;
  virtual Status Remove(const std::string& topology, const std::string& key) = 0;
  // Keys directly under `prefix` (such as "metrics"), sorted.
  virtual std::vector<std::string> List(const std::string& topology,
                                        const std::string& prefix) const = 0;

  virtual std::vector<std::string> Topologies() const = 0;
  virtual bool Exists(const std::string& topology) const = 0;
  virtual Status Create(const std::string& topology) = 0;
  virtual Status RemoveTopology(const std::string& topology) = 0;

  // An exclusive lock named `name`; kAlreadyExists while another holder
  // (in any process) has it.
  virtual Result<std::unique_ptr<StateLock>> Lock(const std::string& topology,
                                                  const std::string& name) = 0;
  // Publishes `bytes` under alive/<name> for as long as this process lives
  // and the returned entry exists.
  virtual Result<std::unique_ptr<AliveEntry>> PublishAlive(const std::string& topology,
                                                           const std::string& name,
                                                           const std::string& bytes) = 0;
  // The bytes of a live alive entry, or nullopt (never published, removed,
  // or its owner is gone).
  virtual std::optional<std::string> ReadAlive(const std::string& topology,
                                               const std::string& name) const = 0;
  // Arms a one-shot watch on `key` (which need not exist yet).
  virtual Result<std::unique_ptr<Watch>> WatchKey(const std::string& topology,
                                                  const std::string& key) = 0;

  // Typed helpers over the record codecs (records/*.h). ReadRecord is
  // kNotFound when the key is absent and kProtocol when it is malformed.
  template <typename R>
  Result<R> ReadRecord(const std::string& topology, const std::string& key) const {
    auto text = Read(topology, key);
    if (!text) return NotFound("no '" + key + "' for topology '" + topology + "'");
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
  std::optional<KeyValues> ReadKv(const std::string& topology, const std::string& key) const {
    auto text = Read(topology, key);
    if (!text) return std::nullopt;
    return KeyValues::Parse(*text);
  }
};

// The state manager for `root`: today always the directory one
// (LocalFsStateManager, state/local_fs_state_manager.h).
std::unique_ptr<StateManager> MakeStateManager(const std::string& root);

// Whether `pid` is a live process (not a zombie).
bool ProcessAlive(int pid);
// The start time of `pid` in clock ticks since boot (/proc/<pid>/stat field
// 22), or nullopt when it is not running.
std::optional<std::uint64_t> ProcessStartTime(int pid);
// Whether `pid` (> 1) is a live process running one of gale's roles
// (_scheduler, _tmaster, _executor, _stmgr, _instance) for `topology`,
// judged by its command line. A pid read from a state file may belong to an
// unrelated process by now (the topology died, the pid was reused, or the
// file was edited): check before signalling it.
bool IsTopologyProcess(int pid, const std::string& topology);

}  // namespace gale::state
