#pragma once

// The stream manager's link to the topology master: a DEALER (routing id
// "stmgr-N") connected to the master's endpoint as its alive entry
// "tmaster" in the state manager says (the stream manager reads it off its
// forwarding thread, stmgr/heartbeat_worker.h, and reconnects when a new
// master publishes another). Sends the registration every heartbeat and
// decodes the physical plans the master pushes: one of the places that
// speaks the control protocol.
//
// Thread: the stream manager's thread only.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <zmq.hpp>

#include "records/state_records.h"

namespace gale::stmgr {

// A physical plan as pushed by the master.
struct PlanUpdate {
  std::string version;
  bool active = true;
  std::vector<std::pair<int, std::string>> stmgrs;  // container, data endpoint
};

class MasterClient {
 public:
  // `keys`: the topology's CURVE keys, nullopt with security.curve off.
  MasterClient(int container, const std::optional<records::CurveKeys>& keys);

  zmq::socket_t& socket() { return socket_; }
  // Connects to the master at `endpoint` (from its alive entry) unless
  // already connected there; true if it did. An empty endpoint (no live
  // master known) keeps the current connection.
  bool ConnectTo(const std::string& endpoint);
  // Registers this stream manager with its data endpoint, if connected.
  void Register(const std::string& data_endpoint);
  // Sends this container's metrics reports (metrics::EncodeReports) if
  // connected; dropped when the master cannot take them now.
  void SendReports(const std::vector<std::string>& reports);
  // The next plan the master sent, if any; other messages are skipped.
  std::optional<PlanUpdate> ReceivePlan();

  // The version of the last plan taken ("" until one arrives, and again
  // after connecting to another master).
  const std::string& plan_version() const { return plan_version_; }

 private:
  int container_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string plan_version_;
};

}  // namespace gale::stmgr
