#pragma once

// The stream manager's link to the topology master: a DEALER (routing id
// "stmgr-N") connected to the master's endpoint as its alive entry
// "tmaster" in the state manager says (reconnected when a new master
// publishes another). Sends the
// registration every heartbeat and decodes the physical plans the master
// pushes: one of the places that speaks the control protocol.
//
// Thread: the stream manager's thread only.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "metrics/snapshot.h"
#include "state/state_manager.h"

namespace gale::stmgr {

// A physical plan as pushed by the master.
struct PlanUpdate {
  std::string version;
  bool active = true;
  std::vector<std::pair<int, std::string>> stmgrs;  // container, data endpoint
};

class MasterClient {
 public:
  // `sm` must outlive the client. `keys`: the topology's CURVE keys, nullopt
  // with security.curve off.
  MasterClient(const state::StateManager* sm, std::string topology, int container,
               const std::optional<records::CurveKeys>& keys);

  zmq::socket_t& socket() { return socket_; }
  // (Re)connects to the recorded master if needed and registers this
  // stream manager with its data endpoint.
  void Register(const std::string& data_endpoint);
  // Sends this container's metrics (metrics/report.h) if connected; dropped
  // when the master cannot take them now.
  void SendMetrics(const metrics::StmgrSnapshot& stmgr, const std::vector<std::string>& tasks);
  // The next plan the master sent, if any; other messages are skipped.
  std::optional<PlanUpdate> ReceivePlan();

  // The version of the last plan taken ("" until one arrives, and again
  // after connecting to another master).
  const std::string& plan_version() const { return plan_version_; }

 private:
  void Connect();

  const state::StateManager* sm_;
  std::string topology_;
  int container_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string plan_version_;
};

}  // namespace gale::stmgr
