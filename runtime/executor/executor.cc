#include "executor/executor.h"

#include <signal.h>
#include <unistd.h>

#include <thread>

#include "common/log.h"
#include "common/stop_signal.h"
#include "common/process.h"
#include "executor/cpu_pinning.h"
#include "executor/supervisor.h"
#include "launch/role_log.h"
#include "launch/topology_source.h"
#include "topology/defaults.h"

namespace gale::executor {
namespace {

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

// container.cpu.pinning: this process and everything it starts from now on
// run on the container's share of the CPUs. A failure is logged and the
// container runs unpinned.
void PinContainer(int container, const plan::TopologyPlan& plan) {
  auto log = Logger("executor");
  auto allowed = AllowedCpus();
  if (!allowed.ok()) {
    log->warn("container {} not pinned to CPUs: {}", container, allowed.status().message());
    return;
  }
  std::vector<int> cpus = ContainerCpus(*allowed, container, plan.workers());
  if (Status s = PinToCpus(cpus); !s.ok()) {
    log->warn("container {} not pinned to CPUs: {}", container, s.message());
    return;
  }
  log->info("container {} pinned to CPUs {} (of {}; container.cpu.pinning)", container,
            CpuListString(cpus), CpuListString(*allowed));
}

}  // namespace

RestartPolicy RestartPolicyOf(const plan::TopologyPlan& plan) {
  const Config& c = plan.topology_config();
  RestartPolicy p;
  p.max_failures = static_cast<int>(
      c.GetInt(topology::kRestartMaxFailuresKey, topology::kDefaultRestartMaxFailures));
  p.window = std::chrono::seconds(
      c.GetInt(topology::kRestartWindowSecsKey, topology::kDefaultRestartWindowSecs));
  return p;
}

std::vector<std::string> RoleArgv(const state::StateOptions& state, const std::string& role,
                                  const std::string& topology) {
  std::vector<std::string> argv = {SelfExe()};
  for (std::string& a : state.ChildArgs()) argv.push_back(std::move(a));
  argv.push_back("_" + role);
  argv.push_back(topology);
  return argv;
}

Status RunExecutorProcess(const ExecutorProcessOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  auto log = Logger("executor");
  auto sm_owner = state::OpenStateManager(options.state);
  if (!sm_owner.ok()) return sm_owner.status();
  state::StateManager& sm = **sm_owner;
  auto loaded = launch::LoadSubmittedTopology(sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  const auto& plan = *loaded->plan;
  std::string c = std::to_string(options.container);
  if (topology::CpuPinningEnabled(plan.topology_config())) PinContainer(options.container, plan);
  Supervisor supervisor(&sm, options.topology, "executor", RestartPolicyOf(plan));
  ChildSpec stmgr{"stmgr-" + c, RoleArgv(options.state, "stmgr", options.topology),
                  launch::RoleLogPath(sm, options.topology, "stmgr-" + c), 1};
  stmgr.argv.push_back(c);
  supervisor.Add(stmgr);
  for (std::int32_t t : plan.TasksIn(options.container)) {
    std::string task = std::to_string(t);
    ChildSpec inst{"task-" + task, RoleArgv(options.state, "instance", options.topology),
                   launch::RoleLogPath(sm, options.topology, "task-" + task), 0};
    inst.argv.push_back(task);
    supervisor.Add(inst);
  }
  log->info("container {} executor (pid {}): stream manager and {} instances", options.container,
            getpid(), plan.TasksIn(options.container).size());
  LogRotation rotation(
      launch::RoleLogRotation(sm, options.topology, "executor-" + c, plan));
  while (!g_stop->load()) {
    supervisor.Poll();
    rotation.MaybeRotate();
    supervisor.Wait(executor::Supervisor::kMaxWait);
  }
  log->info("container {} stopping", options.container);
  supervisor.Stop(std::chrono::seconds(15));
  return Status::Ok();
}

}  // namespace gale::executor
