#include "launch/transport_keys.h"

#include "topology/defaults.h"

namespace gale::launch {

Result<std::optional<records::CurveKeys>> LoadTransportKeys(const state::StateManager& sm,
                                                            const std::string& topology,
                                                            const plan::TopologyPlan& plan) {
  if (!topology::CurveEnabled(plan.topology_config())) {
    return std::optional<records::CurveKeys>();
  }
  auto keys = sm.ReadRecord<records::CurveKeys>(topology, kKeysRecord);
  if (!keys.ok()) {
    return Status(ErrorCode::kFailedPrecondition,
                  "topology '" + topology + "' runs with security.curve on, but its keys are "
                  "unusable (" + keys.status().message() + "); submit it again");
  }
  return std::optional<records::CurveKeys>(std::move(keys).value());
}

}  // namespace gale::launch
