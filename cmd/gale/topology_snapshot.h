#pragma once

// What the state directory says about a submitted topology: the recorded
// pids and the metrics every instance and stream manager rewrites each
// second. Shared by the `gale` commands that operate topologies.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/exit_code.h"
#include "state/state_manager.h"

namespace gale::cli {

// The pid recorded under `key` ("scheduler", "tmaster", "pids/task-3"), or 0.
int PidOf(const state::StateManager& sm, const std::string& name, const std::string& key);
// A numeric value of a key=value file, 0 when missing or malformed.
std::uint64_t U64(const state::KeyValues& kv, const std::string& key);
bool SchedulerAlive(const state::StateManager& sm, const std::string& name);

// Exit codes of the commands (common/exit_code.h).
using gale::kExitFailure;
using gale::kExitInvalid;
using gale::kExitOk;

// Prints "gale: MESSAGE" on stderr.
void Error(const std::string& message);

// One component's counters summed over its instances.
struct Totals {
  std::string id, kind;
  int tasks = 0;
  std::uint64_t emitted = 0, executed = 0, acked = 0, failed = 0, timed_out = 0,
                complete_ns = 0, execute_ns = 0, execute_samples = 0, user_errors = 0,
                throttled_ns = 0;
  bool drained = true;
  std::int64_t pending = 0;
};

struct Snapshot {
  std::vector<Totals> components;  // in packing order
  std::uint64_t progress = 0;      // emitted + acked + failed over everything
  bool spouts_drained = true;
  std::uint64_t queued_bytes = 0;
  int tasks_reporting = 0;
  int tasks_total = 0;
  std::map<int, state::KeyValues> stmgrs;
};

Snapshot TakeSnapshot(const state::StateManager& sm, const std::string& name);

}  // namespace gale::cli
