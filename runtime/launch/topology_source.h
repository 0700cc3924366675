#pragma once

// How a topology is loaded: the YAML file, plugins, filters and overrides a
// user passed to `gale local|validate|submit`. Every process of a submitted
// topology re-loads it from the same source (recorded in the state
// directory), so they all build the identical plan.

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "gale/topology.h"
#include "plan/plan.h"
#include "state/state_manager.h"

namespace gale::launch {

struct TopologySource {
  std::string file;       // a YAML topology, or
  std::string topology;   // the name of a topology a plugin built in C++ (GALE_REGISTER_TOPOLOGY)
  std::vector<std::string> libs;
  std::vector<std::string> filters;
  bool env_filter = false;
  std::vector<std::string> overrides;

  // Paths made absolute against the current directory.
  TopologySource Absolute() const;
  // The `submit` record of the state directory.
  records::Submission ToRecord() const;
  static TopologySource FromRecord(const records::Submission& record);
};

struct LoadedTopology {
  TopologySpec spec;
  std::shared_ptr<const plan::TopologyPlan> plan;
};

// Loads plugins, parses and validates the YAML and builds the plan. Errors are
// kInvalidArgument/kNotFound (user input) with file:line:column messages.
Result<LoadedTopology> LoadTopology(const TopologySource& source);

// Loads the topology `name` as recorded in the state directory by `gale
// submit` (every process of a submitted topology starts with this).
Result<LoadedTopology> LoadSubmittedTopology(const state::StateManager& sm,
                                             const std::string& name);

}  // namespace gale::launch
