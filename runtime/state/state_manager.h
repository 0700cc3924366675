#pragma once

// Where a topology's shared state lives. The `localfs` state manager keeps
// one directory per topology under its root (default ~/.gale, or
// --state-dir / GALE_STATE_DIR):
//
//   <root>/topologies/<name>/
//     submit            how the topology was submitted (file, libs, filters, overrides)
//     packing           task -> container (written by the topology master)
//     physical          container -> stream manager endpoint (ditto)
//     tmaster           the live topology master: pid and control endpoint
//     scheduler         the local scheduler's pid
//     pids/<role>-<id>  one file per live process: its pid
//     metrics/<role>-<id>  key=value counters, rewritten every second
//     errors/<role>-<id>   why a process failed to start
//     logs/<role>-<id>.log  stdout and stderr of each process
//     sock/             ipc:// endpoints of the stream managers
//
// Files are small key=value texts written atomically (write + rename), so
// readers in other processes never see half a file.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace gale::state {

// key=value lines; repeated keys keep every value in order.
class KeyValues {
 public:
  void Add(const std::string& key, const std::string& value) { items_.push_back({key, value}); }
  void Set(const std::string& key, const std::string& value);
  std::optional<std::string> Get(const std::string& key) const;
  std::string GetOr(const std::string& key, const std::string& fallback) const;
  std::vector<std::string> GetAll(const std::string& key) const;
  const std::vector<std::pair<std::string, std::string>>& items() const { return items_; }

  std::string Serialize() const;
  static KeyValues Parse(const std::string& text);

 private:
  std::vector<std::pair<std::string, std::string>> items_;
};

class StateManager {
 public:
  // Root from --state-dir, else $GALE_STATE_DIR, else ~/.gale.
  static std::string DefaultRoot();
  explicit StateManager(std::string root) : root_(std::move(root)) {}

  const std::string& root() const { return root_; }
  std::string TopologyDir(const std::string& topology) const;
  std::string Path(const std::string& topology, const std::string& key) const;

  Status Write(const std::string& topology, const std::string& key, const std::string& content);
  Status WriteKv(const std::string& topology, const std::string& key, const KeyValues& kv);
  std::optional<std::string> Read(const std::string& topology, const std::string& key) const;
  std::optional<KeyValues> ReadKv(const std::string& topology, const std::string& key) const;
  void Remove(const std::string& topology, const std::string& key);
  // Keys directly under `prefix` (a sub-directory such as "metrics").
  std::vector<std::string> List(const std::string& topology, const std::string& prefix) const;

  std::vector<std::string> Topologies() const;
  bool Exists(const std::string& topology) const;
  Status Create(const std::string& topology);
  void RemoveTopology(const std::string& topology);

  // Takes an exclusive lock named `name` held until the process exits (or
  // the returned fd is closed). Fails when another live process holds it.
  Result<int> Lock(const std::string& topology, const std::string& name);

 private:
  std::string root_;
};

// Whether `pid` is a live process (not a zombie).
bool ProcessAlive(int pid);

}  // namespace gale::state
