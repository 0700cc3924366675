#pragma once

// How a topology is loaded: the YAML file, plugins, filters and overrides a
// user passed to `gale local|validate|submit`. `gale submit` copies what it
// loaded into a topology package (launch/package.h) and every process of
// the submitted topology loads from that package, never from the user's
// files, so they all build the identical plan.

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "flux/loader.h"
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
// With `files_read`, every YAML file read is appended to it (its text after
// substitution), for the topology package.
Result<LoadedTopology> LoadTopology(const TopologySource& source,
                                    std::vector<flux::SourceFile>* files_read = nullptr);

// LoadTopology with the choices a package load makes: `substitute` false
// parses the YAML as it is; `libraries`, when set, replaces the YAML's
// `libraries:` one for one (the package's copies).
Result<LoadedTopology> LoadTopologyFrom(const TopologySource& source, bool substitute,
                                        const std::vector<std::string>* libraries,
                                        std::vector<flux::SourceFile>* files_read);

// Loads the topology `name` as recorded in the state directory by `gale
// submit`, from the topology package its `submit` record names (every
// process of a submitted topology starts with this).
Result<LoadedTopology> LoadSubmittedTopology(const state::StateManager& sm,
                                             const std::string& name);

// The packing record of `plan`: task -> container, as `gale submit` and the
// topology master write it.
records::PackingPlan PackingOf(const plan::TopologyPlan& plan);

}  // namespace gale::launch
