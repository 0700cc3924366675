#pragma once

// `gale submit | list | status | activate | deactivate | logs | wait | kill`:
// operate topologies running as processes under the local scheduler. All of
// them find the topology through the state directory.

#include <string>

#include "launch/topology_source.h"

namespace gale::cli {

struct LogsOptions {
  std::string component;
  int task = 0;
  bool follow = false;
};

int Submit(const std::string& root, const launch::TopologySource& source, double timeout_secs);
int List(const std::string& root);
int ShowStatus(const std::string& root, const std::string& name, bool json);
int SetActive(const std::string& root, const std::string& name, bool active);
int ShowLogs(const std::string& root, const std::string& name, const LogsOptions& options);
int Wait(const std::string& root, const std::string& name, double timeout_secs);
int Kill(const std::string& root, const std::string& name, double wait_secs, bool force);

}  // namespace gale::cli
