#include "scheduler/local_scheduler.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "common/log.h"
#include "common/stop_signal.h"
#include "executor/executor.h"
#include "executor/supervisor.h"
#include "launch/role_log.h"
#include "launch/topology_source.h"

namespace gale::scheduler {
namespace {

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

}  // namespace

Status RunLocalScheduler(const LocalSchedulerOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  ::signal(SIGHUP, SIG_IGN);
  auto log = Logger("scheduler");
  auto sm_owner = state::OpenStateManager(options.state);
  if (!sm_owner.ok()) return sm_owner.status();
  state::StateManager& sm = **sm_owner;
  auto loaded = launch::LoadSubmittedTopology(sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  executor::Supervisor supervisor(&sm, options.topology, "scheduler",
                                  executor::RestartPolicyOf(*loaded->plan));
  supervisor.Add({"tmaster", executor::RoleArgv(options.state, "tmaster", options.topology),
                  launch::RoleLogPath(sm, options.topology, "tmaster"), 1});
  for (int c = 0; c < loaded->plan->workers(); ++c) {
    executor::ChildSpec spec{"executor-" + std::to_string(c),
                             executor::RoleArgv(options.state, "executor", options.topology),
                             launch::RoleLogPath(sm, options.topology, "executor-" + std::to_string(c)), 0};
    spec.argv.push_back(std::to_string(c));
    supervisor.Add(spec);
  }
  log->info("local scheduler (pid {}) running topology '{}' with {} containers", getpid(),
            options.topology, loaded->plan->workers());
  LogRotation rotation(
      launch::RoleLogRotation(sm, options.topology, "scheduler", *loaded->plan));
  while (!g_stop->load()) {
    supervisor.Poll();
    rotation.MaybeRotate();
    supervisor.Wait(executor::Supervisor::kMaxWait);
  }
  log->info("stopping topology '{}'", options.topology);
  supervisor.Stop(std::chrono::seconds(20));
  log->info("stopped");
  return Status::Ok();
}

}  // namespace gale::scheduler
