#pragma once

// Where the processes of a submitted topology log, and how their logs are
// capped: <topology dir>/logs/<process>.log ("scheduler", "tmaster",
// "executor-0", "stmgr-0", "task-3"), rotated past topology.log.max.bytes
// keeping topology.log.max.files older files (common/log_rotation.h).

#include <chrono>
#include <string>

#include "common/log_rotation.h"
#include "plan/plan.h"
#include "state/state_manager.h"

namespace gale::launch {

std::string RoleLogPath(const state::StateManager& sm, const std::string& topology,
                        const std::string& process);

// The rotation of `process`'s log as `plan`'s topology config asks, checked
// at most once per `interval` (0 for a caller whose loop already runs once a
// second).
LogRotationOptions RoleLogRotation(const state::StateManager& sm, const std::string& topology,
                                   const std::string& process, const plan::TopologyPlan& plan,
                                   std::chrono::milliseconds interval = std::chrono::seconds(1));

}  // namespace gale::launch
