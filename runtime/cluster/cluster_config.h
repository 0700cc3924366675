#pragma once

// The cluster file: where a topology's state lives and how its processes are
// placed, for every gale command of one deployment. Named by the global
// option `gale --cluster FILE` or $GALE_CLUSTER; without one, gale keeps
// its state in a local directory and runs topologies on this host.
//
//   state.manager: zookeeper            # localfs (default) | zookeeper
//   state.root: /var/lib/gale           # localfs state; with zookeeper the
//                                       # host-local logs, metrics, sockets
//   zookeeper.connect: zk1:2181,zk2:2181,zk3:2181
//   zookeeper.root: /gale               # default /gale
//   zookeeper.session.timeout.ms: 10000
//   zookeeper.connect.timeout.ms: 5000
//   zookeeper.auth: alice:secret        # digest identity; the file must be 0600
//   scheduler: local                    # local (default) | slurm (needs zookeeper
//                                       # and package.store)
//   slurm.partition: batch
//   slurm.args: [--account=stream]      # or one string, split on spaces
//   package.store: /shared/gale/packages   # default <state root>/packages
//   transport.bind.address: 10.0.0.5      # or 0.0.0.0; default below
//   transport.advertise.address: gw.example.org   # what peers connect to
//
// The master and stream managers bind their TCP sockets at
// transport.bind.address with a port chosen at start and publish
// transport.advertise.address with that port (cluster/network_address.h
// says what each defaults to).
//
// Keys are flat, as in Storm's storm.yaml. An unknown key or a bad value is
// an error naming the file, the line and the key; the commands exit 2.

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "state/state_manager.h"

namespace gale::cluster {

enum class StateManagerKind { kLocalFs, kZooKeeper };
enum class SchedulerKind { kLocal, kSlurm };

struct ClusterConfig {
  std::string file;  // where it was read from, for messages ("" = no cluster file)

  StateManagerKind state_manager = StateManagerKind::kLocalFs;
  std::string state_root;  // "" = --state-dir, $GALE_STATE_DIR or ~/.gale
  state::ZooKeeperOptions zookeeper;

  SchedulerKind scheduler = SchedulerKind::kLocal;
  std::string slurm_partition;
  std::vector<std::string> slurm_args;

  std::string package_store;           // "" = <state root>/packages (launch/package.h)
  std::string transport_bind_address;       // "" = the default (ChooseNetworkAddress)
  std::string transport_advertise_address;  // "" = the bind address, or the routed one

  // Cross-key checks: zookeeper.connect is required by state.manager:
  // zookeeper and every host:port of it must be well formed; paths are
  // absolute; numbers in range. The message names the file and the key.
  Status Validate() const;
};

// Parses `text` (the content of `file`) and validates it.
Result<ClusterConfig> ParseClusterConfig(std::string_view text, const std::string& file);
// Reads and parses `path`.
Result<ClusterConfig> LoadClusterConfig(const std::string& path);

// The cluster file a command uses: `flag` (--cluster) when given, else
// $GALE_CLUSTER, else none (a default ClusterConfig, file "").
Result<ClusterConfig> ResolveClusterConfig(const std::string& flag);

// The state options of a process: the state manager `config` chooses;
// the host-local root is `state_dir_flag` (--state-dir) when given, else
// state.root, else StateManager::DefaultRoot().
state::StateOptions StateOptionsOf(const ClusterConfig& config, const std::string& state_dir_flag);

}  // namespace gale::cluster
