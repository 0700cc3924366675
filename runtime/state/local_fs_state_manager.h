#pragma once

// The `localfs` state manager: one directory per topology under
// <root>/topologies/<name>/, one file per key.
//
// - Write: write a temporary file in the same directory, then rename(2) over
//   the key, so readers see the old or the new value, never half of one.
// - Lock: flock(LOCK_EX | LOCK_NB) on <name>.lock; the kernel releases it
//   when the holder exits, however it exits.
// - PublishAlive: alive/<name> holds `owner_pid=`, `owner_start=` (the
//   owner's start time from /proc, so a recycled pid does not count) and the
//   payload; ReadAlive treats an entry whose owner is dead or has another
//   start time as absent.
// - WatchKey: inotify on the key's directory for writes that complete
//   (IN_CLOSE_WRITE, IN_MOVED_TO, IN_CREATE) and removals (IN_DELETE,
//   IN_MOVED_FROM) of that name; Wait blocks in poll(2) on the inotify fd,
//   so nothing polls the file system.

#include <string>

#include "state/state_manager.h"

namespace gale::state {

class LocalFsStateManager final : public StateManager {
 public:
  explicit LocalFsStateManager(std::string root) : root_(std::move(root)) {}

  const std::string& root() const override { return root_; }
  const std::string& local_root() const override { return root_; }
  std::string LocalDir(const std::string& topology) const override;

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
  Result<std::unique_ptr<AliveEntry>> PublishAlive(const std::string& topology,
                                                   const std::string& name,
                                                   const std::string& bytes) override;
  Result<std::string> ReadAlive(const std::string& topology,
                                const std::string& name) const override;
  Result<std::unique_ptr<Watch>> WatchKey(const std::string& topology,
                                          const std::string& key) override;

 private:
  std::string root_;
};

}  // namespace gale::state
