#pragma once

// The `local` scheduler: a daemon started by `gale submit` that runs the
// topology master and one executor per container as processes on this host
// and restarts any of them that dies. SIGTERM stops the executors (and so
// every instance and stream manager), then the master, then itself. Every
// process of the topology descends from it and dies with it.

#include <string>

#include "common/status.h"
#include "state/state_manager.h"

namespace gale::scheduler {

struct LocalSchedulerOptions {
  state::StateOptions state;  // which state manager, and the host-local root
  std::string topology;
};

Status RunLocalScheduler(const LocalSchedulerOptions& options);

}  // namespace gale::scheduler
