#pragma once

// How a process of a submitted topology learns whether its sockets use
// CURVE and with which keys (transport/curve.h): security.curve from the
// topology's configuration says whether, the `keys` record that `gale
// submit` wrote (owner-only) says which.

#include <optional>
#include <string>

#include "common/status.h"
#include "plan/plan.h"
#include "records/state_records.h"
#include "state/state_manager.h"

namespace gale::launch {

// The state key of the topology's records::CurveKeys.
inline constexpr const char* kKeysRecord = "keys";

// The topology's keys when security.curve is on, nullopt when it is off.
// With it on, a missing or malformed record is an error: a process never
// falls back to plain text.
Result<std::optional<records::CurveKeys>> LoadTransportKeys(const state::StateManager& sm,
                                                            const std::string& topology,
                                                            const plan::TopologyPlan& plan);

}  // namespace gale::launch
