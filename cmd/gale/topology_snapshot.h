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
#include "state/state_manager.h"

namespace gale::cli {

// The pid recorded under `key` ("scheduler", "tmaster", "pids/task-3"), or 0.
int PidOf(const state::StateManager& sm, const std::string& name, const std::string& key);
bool SchedulerAlive(const state::StateManager& sm, const std::string& name);

// Exit codes of the commands (common/exit_code.h).
using gale::kExitFailure;
using gale::kExitInvalid;
using gale::kExitOk;

// Prints "gale: MESSAGE" on stderr.
void Error(const std::string& message);

// The metrics files of a topology, decoded and summed (metrics/snapshot.h).
// Files that do not decode are left out.
struct Snapshot {
  metrics::TopologyMetrics metrics;           // components in packing order
  std::vector<metrics::TaskSnapshot> tasks;   // one per metrics/task-N
  std::vector<metrics::StmgrSnapshot> stmgrs; // one per metrics/stmgr-N
  int tasks_live = 0;  // tasks whose recorded pid is alive
};

Snapshot TakeSnapshot(const state::StateManager& sm, const std::string& name);

}  // namespace gale::cli
