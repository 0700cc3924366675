#pragma once

// `gale submit | list | status | activate | deactivate | logs | wait | kill`:
// operate topologies running as processes under the local scheduler. All of
// them find the topology through the state manager (a directory, or
// ZooKeeper with a cluster file); logs and metrics are read from this
// host's directory. Removing a topology's state (kill, a failed submit)
// first archives its logs (state/log_archive.h).

#include <memory>
#include <string>

#include "launch/topology_source.h"
#include "cluster/cluster_config.h"
#include "state/state_manager.h"

namespace gale::cli {

struct LogsOptions {
  std::string component;
  int task = 0;
  bool follow = false;
  std::string run;         // an archived run: a number or "latest"; "" = the live topology
  bool list_runs = false;  // list the archived runs instead of printing logs
};

// Opens the state manager `options` name; on failure prints why
//   gale: cannot reach ZooKeeper at HOSTS: ...
// and sets `*exit_code` (kExitInvalid for a bad address, else kExitFailure).
std::unique_ptr<state::StateManager> OpenState(const state::StateOptions& options,
                                               int* exit_code);

// The one check of every command that takes a topology name: when the
// state holds no topology `name`, prints
//   gale: no topology 'NAME' in ROOT (see 'gale list')
// and returns kExitNoTopology; when the state cannot be read, prints why
// and returns kExitFailure; otherwise returns kExitOk.
int RequireTopology(const state::StateManager& sm, const std::string& name);

// `options` are the state options the command runs with: the processes the
// submit starts get them too (with a private copy of the cluster file).
// The topology's package is written to `package_store` (launch/package.h).
int Submit(state::StateManager& sm, const state::StateOptions& options,
           const cluster::ClusterConfig& cluster, const launch::TopologySource& source, const std::string& package_store,
           double timeout_secs);
int List(state::StateManager& sm);
int ShowStatus(state::StateManager& sm, const std::string& name, bool json);
int SetActive(state::StateManager& sm, const std::string& name, bool active);
int ShowLogs(state::StateManager& sm, const std::string& name, const LogsOptions& options);
int Wait(state::StateManager& sm, const std::string& name, double timeout_secs);
int Kill(state::StateManager& sm, const std::string& name, double wait_secs, bool force);

}  // namespace gale::cli
