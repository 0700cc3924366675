#pragma once

// The log archive: what is left of a submitted topology's runs once its state
// directory is gone. Before `gale kill` (or a failed submit, or a resubmit
// over a dead run) removes `<root>/topologies/<name>/`, the run's `logs/`
// directory is moved here, with copies of the `submit` and `packing` records
// so the logs can still be filtered by component:
//
//   <root>/archive/<name>/<run>/
//     run         key=value: run=, topology=, reason=, archived= (UTC, ISO 8601)
//     submit      copy of the topology's submit record (when there was one)
//     packing     copy of its packing record (task -> container, component)
//     logs/<process>.log
//
// Runs are numbered 1, 2, 3, ... per topology name; each archive keeps the
// newest `keep_runs` and deletes older ones. Retention comes from
// $GALE_LOG_ARCHIVE_RUNS (default 10; 0 turns archiving off).
//
// Plain filesystem operations on one state root; not safe against two
// processes archiving the same topology at the same instant beyond each
// claiming a distinct run number. Self-contained: no dependency on the state
// manager's record formats.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::state {

// One archived run of a topology.
struct ArchivedRun {
  int run = 0;
  std::string dir;       // <root>/archive/<name>/<run>
  std::string reason;    // e.g. "killed", "submit failed"
  std::string archived;  // UTC time, e.g. 2026-11-28T05:50:00Z
  int log_files = 0;

  std::string LogsDir() const { return dir + "/logs"; }
};

class LogArchive {
 public:
  static constexpr int kDefaultKeepRuns = 10;
  static constexpr const char* kKeepRunsEnv = "GALE_LOG_ARCHIVE_RUNS";

  // $GALE_LOG_ARCHIVE_RUNS when it is an integer >= 0, else kDefaultKeepRuns.
  static int KeepRunsFromEnv();

  // `root` is the state root (the directory holding topologies/).
  LogArchive(std::string root, int keep_runs) : root_(std::move(root)), keep_runs_(keep_runs) {}

  // <root>/archive/<name>
  std::string TopologyDir(const std::string& name) const;

  // Moves `topology_dir`/logs into a new run of `name` with the run record
  // and copies of `submit` and `packing` (their text from `records` when
  // given there, as the state manager read them; else the files of
  // `topology_dir`), then prunes old runs. Returns the new run; NotFound
  // when there is no logs directory; FailedPrecondition when archiving is
  // off (keep_runs 0). The topology directory itself is left for the
  // caller to remove.
  Result<ArchivedRun> Archive(const std::string& name, const std::string& topology_dir,
                              const std::string& reason,
                              const std::map<std::string, std::string>& records = {});

  // The archived runs of `name`, oldest first.
  std::vector<ArchivedRun> Runs(const std::string& name) const;

  // The run chosen by `selector`: "latest" (or "last"), or a run number.
  // NotFound names the runs there are; InvalidArgument for a bad selector.
  Result<ArchivedRun> Find(const std::string& name, std::string_view selector) const;

  // Deletes all but the newest keep_runs runs of `name`.
  void Prune(const std::string& name) const;

 private:
  std::string root_;
  int keep_runs_;
};

// The run numbers to delete so that the newest `keep` of `runs` remain.
std::vector<int> RunsToPrune(std::vector<int> runs, int keep);

}  // namespace gale::state
