#include "stmgr/peer_mesh.h"

#include "common/log.h"
#include "transport/control.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

using transport::ControlMessage;
using transport::ControlType;

PeerMesh::PeerMesh(int container)
    : container_(container), data_in_(transport::MakeSocket(zmq::socket_type::pull, 16)) {}

Status PeerMesh::Bind() {
  try {
    data_in_.bind("tcp://127.0.0.1:*");
  } catch (const zmq::error_t& e) {
    return IoError(std::string("cannot bind tcp://127.0.0.1:*: ") + e.what());
  }
  endpoint_ = transport::LastEndpoint(data_in_);
  return Status::Ok();
}

bool PeerMesh::Connect(int container, const std::string& endpoint) {
  auto it = peers_.find(container);
  if (it != peers_.end() && it->second.endpoint == endpoint) return false;
  Peer p{transport::MakeSocket(zmq::socket_type::push, 64), endpoint};
  p.socket.connect(endpoint);
  peers_.erase(container);
  peers_.emplace(container, std::move(p));
  Logger("stmgr")->info("peer container {} at {}", container, endpoint);
  return true;
}

bool PeerMesh::Send(int container, const std::string& batch) {
  auto it = peers_.find(container);
  return it != peers_.end() && transport::TrySend(it->second.socket, batch);
}

void PeerMesh::Announce(int container, bool on, const std::string& culprit) {
  auto it = peers_.find(container);
  if (it == peers_.end()) return;
  ControlMessage m{on ? ControlType::kBackpressureOn : ControlType::kBackpressureOff, {}};
  m.fields.Add("container", std::to_string(container_));
  m.fields.Add("culprit", culprit);
  transport::TrySend(it->second.socket, transport::EncodeControl(m));
}

void PeerMesh::AnnounceAll(bool on, const std::string& culprit) {
  for (auto& [c, p] : peers_) Announce(c, on, culprit);
}

void PeerMesh::HandleControl(const std::string& bytes) {
  auto m = transport::DecodeControl(bytes);
  if (!m.ok()) return;
  int container = std::stoi(m->fields.GetOr("container", "-1"));
  if (m->type == ControlType::kBackpressureOn) {
    remote_bp_[container] = m->fields.GetOr("culprit", "?");
  } else if (m->type == ControlType::kBackpressureOff) {
    remote_bp_.erase(container);
  }
}

std::string PeerMesh::RemoteCulprits() const {
  std::string remote;
  for (const auto& [c, who] : remote_bp_) remote += (remote.empty() ? "" : ",") + who;
  return remote;
}

}  // namespace gale::stmgr
