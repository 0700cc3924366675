#pragma once

// `gale submit | list | status | activate | deactivate | logs | wait | kill`:
// operate topologies running as processes under the local scheduler. All of
// them find the topology through the state directory. Removing a topology's
// state (kill, a failed submit) first archives its logs (state/log_archive.h).

#include <string>

#include "launch/topology_source.h"

namespace gale::cli {

struct LogsOptions {
  std::string component;
  int task = 0;
  bool follow = false;
  std::string run;         // an archived run: a number or "latest"; "" = the live topology
  bool list_runs = false;  // list the archived runs instead of printing logs
};

// The one check of every command that takes a topology name: when `root`
// holds no topology `name`, prints
//   gale: no topology 'NAME' in ROOT (see 'gale list')
// and returns kExitNoTopology; otherwise returns kExitOk.
int RequireTopology(const std::string& root, const std::string& name);

int Submit(const std::string& root, const launch::TopologySource& source, double timeout_secs);
int List(const std::string& root);
int ShowStatus(const std::string& root, const std::string& name, bool json);
int SetActive(const std::string& root, const std::string& name, bool active);
int ShowLogs(const std::string& root, const std::string& name, const LogsOptions& options);
int Wait(const std::string& root, const std::string& name, double timeout_secs);
int Kill(const std::string& root, const std::string& name, double wait_secs, bool force);

}  // namespace gale::cli
