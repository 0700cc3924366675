#pragma once

// What the state directory says about a submitted topology: the recorded
// pids and the metrics every instance and stream manager rewrites each
// second. Shared by the `gale` commands that operate topologies.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/exit_code.h"
#include "metrics/snapshot.h"
#include "records/control.h"
#include "state/state_manager.h"

namespace gale::cli {

// A pid as a record holds it, with the process's start time (0 when the
// record has none; records/state_records.h).
struct RecordedPid {
  int pid = 0;
  std::uint64_t start = 0;
};
// The pid recorded under `key` ("scheduler", "pids/task-3"); pid 0 if none.
RecordedPid PidOf(const state::StateManager& sm, const std::string& name, const std::string& key);
// Whether the recorded process is still the topology's (state::IsTopologyProcess).
bool IsTopologyProcess(const RecordedPid& p, const std::string& name);
bool SchedulerAlive(const state::StateManager& sm, const std::string& name);

// Exit codes of the commands (common/exit_code.h).
using gale::kExitFailure;
using gale::kExitInvalid;
using gale::kExitOk;

// Prints "gale: MESSAGE" on stderr.
void Error(const std::string& message);

// Sends `command` to the topology's master and waits up to 5 s for its
// reply (records/control.h).
Result<records::Reply> RequestTmaster(const state::StateManager& sm, const std::string& name,
                                      const std::string& command);

// The metrics of a topology, decoded and summed (metrics/snapshot.h): from
// the metrics files of this host, or, with the state in ZooKeeper, from the
// topology master, which holds every host's (the files of this host when
// the master cannot answer). Snapshots that do not decode are left out.
struct Snapshot {
  metrics::TopologyMetrics metrics;           // components in packing order
  std::vector<metrics::TaskSnapshot> tasks;   // one per metrics/task-N
  std::vector<metrics::StmgrSnapshot> stmgrs; // one per metrics/stmgr-N
  int tasks_live = 0;  // tasks whose recorded pid is alive (or that reported to the master lately)
};

Snapshot TakeSnapshot(const state::StateManager& sm, const std::string& name);

}  // namespace gale::cli
