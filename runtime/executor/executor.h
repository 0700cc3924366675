#pragma once

// The executor (supervisor) of one container: starts the container's stream
// manager and one instance process per task, restarts any that die, and on
// SIGTERM stops the instances (which call Close/Cleanup) and then the stream
// manager. Its children die with it (PR_SET_PDEATHSIG), so killing the
// executor takes the whole container down until the scheduler restarts it.

#include <string>
#include <vector>

#include "common/status.h"
#include "executor/supervisor.h"
#include "plan/plan.h"

namespace gale::executor {

struct ExecutorProcessOptions {
  std::string state_root;
  std::string topology;
  int container = 0;
};

Status RunExecutorProcess(const ExecutorProcessOptions& options);

// The topology's topology.restart.max.failures / .window.secs.
RestartPolicy RestartPolicyOf(const plan::TopologyPlan& plan);

// argv prefix for running another gale role: {gale, --state-dir, root}.
std::vector<std::string> RoleArgv(const std::string& state_root, const std::string& role,
                                  const std::string& topology);

}  // namespace gale::executor
