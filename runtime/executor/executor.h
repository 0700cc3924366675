#pragma once

// The executor (supervisor) of one container: starts the container's stream
// manager and one instance process per task, restarts any that die, and on
// SIGTERM stops the instances (which call Close/Cleanup) and then the stream
// manager. Its children die with it (PR_SET_PDEATHSIG), so killing the
// executor takes the whole container down until the scheduler restarts it.

#include <string>
#include <vector>

#include "common/status.h"
#include "state/state_manager.h"
#include "executor/supervisor.h"
#include "plan/plan.h"

namespace gale::executor {

struct ExecutorProcessOptions {
  state::StateOptions state;  // which state manager, and the host-local root
  std::string topology;
  int container = 0;
};

Status RunExecutorProcess(const ExecutorProcessOptions& options);

// The topology's topology.restart.max.failures / .window.secs.
RestartPolicy RestartPolicyOf(const plan::TopologyPlan& plan);

// argv for running another gale role with the same state:
// {gale, [--cluster FILE,] --state-dir ROOT, _ROLE, TOPOLOGY}.
std::vector<std::string> RoleArgv(const state::StateOptions& state, const std::string& role,
                                  const std::string& topology);

}  // namespace gale::executor
