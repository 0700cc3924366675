#pragma once

// The topology master: one live per topology (an exclusive lock in the state
// manager; a master that loses it, after a ZooKeeper session expiry, stops).
// Its location (pid, advertised control endpoint, host) is the alive entry
// "tmaster". It records the packing plan, waits for every container's
// stream manager to register, builds the physical plan (container -> stream
// manager endpoint), pushes it to every stream manager with the desired
// activation state, and answers `gale activate|deactivate` requests.
//
//   stmgr --kRegister{container, endpoint, plan_version} (every second)--> tmaster
//   tmaster --kPlan{version, active, stmgr="<container> <endpoint>"*}--> stmgr
//     (sent when the plan changes, or to a stmgr reporting an older version)
//
// The control socket is a CURVE server (unless security.curve is off)
// guarded by a transport::Gatekeeper: only the topology's own stream
// managers and its owner's CLI hold the client key.
//
//   stmgr --kMetricsReport{StmgrSnapshot, TaskSnapshot*} (every second)--> tmaster
//
// The master keeps the latest metrics (MetricsStore) and serves them over
// HTTP (HttpServer: /metrics, /api/v1; loopback unless http.bind.address
// says otherwise); its URL is the `http` field of the alive entry.
//
// Stream managers re-register every second, so a restarted master rebuilds
// the physical plan within a second or two, and a restarted stream manager
// gets the current plan at once.

#include <string>

#include "common/status.h"
#include "state/state_manager.h"
#include "transport/address.h"

namespace gale::tmaster {

struct TmasterOptions {
  state::StateOptions state;  // which state manager, and the host-local root
  std::string topology;
  // Where the control socket binds (port chosen at start) and the address
  // its location record advertises.
  transport::NetworkAddress network;
};

Status RunTopologyMaster(const TmasterOptions& options);

}  // namespace gale::tmaster
