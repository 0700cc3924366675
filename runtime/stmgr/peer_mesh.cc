#include "stmgr/peer_mesh.h"

#include "common/log.h"
#include "records/control.h"
#include "records/refused.h"
#include "transport/curve.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

PeerMesh::PeerMesh(int container, std::optional<records::CurveKeys> keys)
    : container_(container),
      keys_(std::move(keys)),
      data_in_(transport::MakeSocket(zmq::socket_type::pull, 16)) {}

Status PeerMesh::Bind(const transport::NetworkAddress& network) {
  const std::string bind = network.BindEndpoint();
  try {
    data_in_.bind(bind);
  } catch (const zmq::error_t& e) {
    return IoError("cannot bind " + bind + ": " + e.what());
  }
  bound_ = transport::LastEndpoint(data_in_);
  endpoint_ = network.Advertised(bound_);
  return Status::Ok();
}

bool PeerMesh::Connect(int container, const std::string& endpoint) {
  auto it = peers_.find(container);
  if (it != peers_.end() && it->second.endpoint == endpoint) return false;
  Peer p{transport::MakeSocket(zmq::socket_type::push, 64), endpoint};
  if (keys_) transport::SecureClient(p.socket, *keys_);
  p.socket.connect(endpoint);
  peers_.erase(container);
  peers_.emplace(container, std::move(p));
  Logger("stmgr")->info("peer container {} at {}", container, endpoint);
  return true;
}

bool PeerMesh::Send(int container, const std::vector<std::string_view>& batches) {
  auto it = peers_.find(container);
  return it != peers_.end() && transport::TrySendFrames(it->second.socket, batches);
}

zmq::socket_t* PeerMesh::socket_to(int container) {
  auto it = peers_.find(container);
  return it == peers_.end() ? nullptr : &it->second.socket;
}

void PeerMesh::Announce(int container, bool on, const std::string& culprit) {
  auto it = peers_.find(container);
  if (it == peers_.end()) return;
  std::string bytes = on ? records::Encode(records::BackpressureOn{container_, culprit})
                        : records::Encode(records::BackpressureOff{container_, culprit});
  transport::TrySend(it->second.socket, bytes);
}

void PeerMesh::AnnounceAll(bool on, const std::string& culprit) {
  for (auto& [c, p] : peers_) Announce(c, on, culprit);
}

void PeerMesh::HandleControl(const std::string& bytes) {
  auto m = records::DecodeControl(bytes);
  if (!m.ok()) {
    records::Refuse("stmgr", "control message from a peer", m.status());
    return;
  }
  if (const auto* on = std::get_if<records::BackpressureOn>(&*m)) {
    if (on->container == container_) return;
    remote_bp_[on->container] = on->culprit.empty() ? "?" : on->culprit;
  } else if (const auto* off = std::get_if<records::BackpressureOff>(&*m)) {
    remote_bp_.erase(off->container);
  }
}

std::string PeerMesh::RemoteCulprits() const {
  std::string remote;
  for (const auto& [c, who] : remote_bp_) remote += (remote.empty() ? "" : ",") + who;
  return remote;
}

}  // namespace gale::stmgr
