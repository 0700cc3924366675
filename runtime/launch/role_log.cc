#include "launch/role_log.h"

#include "topology/defaults.h"

namespace gale::launch {

std::string RoleLogPath(const state::StateManager& sm, const std::string& topology,
                        const std::string& process) {
  return sm.Path(topology, "logs/" + process + ".log");
}

LogRotationOptions RoleLogRotation(const state::StateManager& sm, const std::string& topology,
                                   const std::string& process, const plan::TopologyPlan& plan,
                                   std::chrono::milliseconds interval) {
  const Config& c = plan.topology_config();
  LogRotationOptions o;
  o.path = RoleLogPath(sm, topology, process);
  o.interval = interval;
  o.max_bytes = c.GetInt(topology::kLogMaxBytesKey, topology::kDefaultLogMaxBytes);
  o.max_files =
      static_cast<int>(c.GetInt(topology::kLogMaxFilesKey, topology::kDefaultLogMaxFiles));
  return o;
}

}  // namespace gale::launch
