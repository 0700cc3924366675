#include "stmgr/peer_mesh.h"

#include <unistd.h>

#include <algorithm>

#include "common/clock.h"
#include "common/log.h"
#include "records/control.h"
#include "records/refused.h"
#include "transport/curve.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {
namespace {

// "host" of "tcp://host:port".
std::string HostOf(const std::string& endpoint) {
  const std::string host_port = transport::HostPortOf(endpoint);
  const std::size_t colon = host_port.rfind(':');
  return colon == std::string::npos ? host_port : host_port.substr(0, colon);
}

}  // namespace

PeerMesh::PeerMesh(int container, std::optional<records::CurveKeys> keys, int workers)
    : container_(container),
      workers_(workers),
      keys_(std::move(keys)),
      max_accepted_(static_cast<std::size_t>(std::max(workers, 1)) + transport::kConnectionSlack),
      data_in_(transport::MakeSocket(zmq::socket_type::pull, 16)) {}

PeerMesh::~PeerMesh() {
  if (listener_ >= 0) {
    close(listener_);
    unlink(path_.c_str());
  }
}

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

Status PeerMesh::BindLocal(const std::string& path, const std::string& topology_dir) {
  auto fd = transport::ListenUnix(path);
  if (!fd.ok()) return fd.status();
  listener_ = *fd;
  path_ = path;
  topology_dir_ = topology_dir;
  return Status::Ok();
}

bool PeerMesh::SameHost(const std::string& endpoint) const {
  return listener_ >= 0 && HostOf(endpoint) == HostOf(endpoint_);
}

bool PeerMesh::Connect(int container, const std::string& endpoint) {
  auto it = peers_.find(container);
  if (it != peers_.end() && it->second.endpoint == endpoint) return false;
  Peer p;
  p.endpoint = endpoint;
  if (!SameHost(endpoint) || !ConnectLocal(container, p)) {
    p.socket.emplace(transport::MakeSocket(zmq::socket_type::push, 64));
    if (keys_) transport::SecureClient(*p.socket, *keys_);
    p.socket->connect(endpoint);
  }
  Logger("stmgr")->info("peer container {} at {}{}", container, endpoint,
                        p.local ? " (this host: Unix socket)" : "");
  peers_.erase(container);
  peers_.emplace(container, std::move(p));
  return true;
}

bool PeerMesh::ConnectLocal(int container, Peer& p) {
  auto fd = transport::ConnectUnix(transport::StmgrPeerSocket(topology_dir_, container),
                                   /*nonblocking=*/true);
  if (!fd.ok()) return false;
  p.local = std::make_unique<transport::FrameSocket>(*fd);
  p.local_down = false;
  // The opener: the receiver admits nothing before it.
  if (!p.local->Send({AnnouncementBytes()})) {
    p.local.reset();
    return false;
  }
  return true;
}

void PeerMesh::BreakLocal(int container, Peer& p) {
  p.local.reset();
  p.local_down = true;
  Logger("stmgr")->info("link to peer container {} broke; reconnecting", container);
}

bool PeerMesh::Send(int container, const std::vector<std::string_view>& batches) {
  auto it = peers_.find(container);
  if (it == peers_.end()) return false;
  Peer& p = it->second;
  if (p.socket) return transport::TrySendFrames(*p.socket, batches);
  if (!p.local) return false;
  return SendLocal(container, p, batches);
}

bool PeerMesh::SendLocal(int container, Peer& p, const std::vector<std::string_view>& frames) {
  // At most one message waits in the link's buffer: past that, the peer's
  // queue here holds the rest, where backpressure counts it.
  if (p.local->wants_write()) {
    if (!p.local->FlushOut()) {
      BreakLocal(container, p);
      return false;
    }
    if (p.local->wants_write()) return false;
  }
  if (!p.local->Send(frames)) {
    BreakLocal(container, p);
    return false;
  }
  return true;
}

bool PeerMesh::WaitToSend(int container, std::vector<zmq::pollitem_t>* items) {
  auto it = peers_.find(container);
  if (it == peers_.end()) return false;
  Peer& p = it->second;
  if (p.socket) {
    // Asking for its events takes the signal: after this, the descriptor
    // turns readable when the pipe frees up.
    if (transport::TakesOutput(*p.socket)) return true;
    items->push_back({nullptr, transport::EventDescriptor(*p.socket), ZMQ_POLLIN, 0});
    return false;
  }
  // A Unix link waits on its descriptor among AddLocalPollItems' items.
  return p.local != nullptr && !p.local->wants_write();
}

void PeerMesh::AddLocalPollItems(std::vector<zmq::pollitem_t>* items) {
  if (listener_ < 0) return;
  accepted_.erase(std::remove_if(accepted_.begin(), accepted_.end(),
                                 [](const auto& a) { return a->closed; }),
                  accepted_.end());
  items->push_back({nullptr, listener_, ZMQ_POLLIN, 0});
  for (const auto& a : accepted_) items->push_back({nullptr, a->socket->fd(), ZMQ_POLLIN, 0});
  // What the links to peers could not write yet goes out as they take it,
  // whether or not more follows.
  for (auto& [container, p] : peers_) {
    if (!p.local || !p.local->wants_write()) continue;
    if (!p.local->FlushOut()) {
      BreakLocal(container, p);
    } else if (p.local->wants_write()) {
      items->push_back({nullptr, p.local->fd(), ZMQ_POLLOUT, 0});
    }
  }
}

void PeerMesh::ServiceLocal(const zmq::pollitem_t* items, std::vector<std::string>* frames) {
  if (listener_ < 0) return;
  // The connections as AddLocalPollItems saw them; Accept appends after them.
  const std::size_t polled = accepted_.size();
  for (std::size_t i = 0; i < polled; ++i) {
    Accepted& a = *accepted_[i];
    if ((items[1 + i].revents & (ZMQ_POLLIN | ZMQ_POLLERR)) == 0 || a.closed) continue;
    const std::size_t first = frames->size();
    const bool open = a.socket->Receive(frames);
    if (!a.opened && frames->size() > first) {
      // Only a backpressure announcement of another container opens a link.
      auto m = records::DecodeControl((*frames)[first]);
      int from = -1;
      if (m.ok()) {
        if (const auto* on = std::get_if<records::BackpressureOn>(&*m)) from = on->container;
        if (const auto* off = std::get_if<records::BackpressureOff>(&*m)) from = off->container;
      }
      if (from < 0 || from == container_ || from >= workers_) {
        frames->resize(first);
        CloseAccepted(a, "a connection that did not open with a peer's announcement");
        continue;
      }
      a.opened = true;
    }
    if (!open) CloseAccepted(a, "");
  }
  if (items[0].revents & ZMQ_POLLIN) Accept();
}

void PeerMesh::Accept() {
  transport::AcceptOwnUser(
      listener_, [this] { return accepted_.size(); }, max_accepted_,
      [this](int fd) {
        auto a = std::make_unique<Accepted>();
        a->socket = std::make_unique<transport::FrameSocket>(fd);
        a->accepted_ns = Clock::System()->NowNs();
        accepted_.push_back(std::move(a));
      },
      [this](const std::string& why) { Refused(why); });
}

void PeerMesh::Refused(const std::string& why) {
  ++refused_;
  records::Refuse("stmgr", "peer socket", ProtocolError("closed " + why));
}

void PeerMesh::CloseAccepted(Accepted& a, const std::string& why) {
  if (a.closed) return;
  a.closed = true;
  a.socket.reset();
  if (!why.empty()) Refused(why);
}

void PeerMesh::Tick(std::int64_t now_ns) {
  const std::int64_t limit_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(transport::kHandshakeTimeout).count();
  for (const auto& a : accepted_) {
    if (!a->closed && !a->opened && now_ns - a->accepted_ns > limit_ns) {
      CloseAccepted(*a, "a connection that sent nothing within " +
                            std::to_string(transport::kHandshakeTimeout.count()) + " ms");
    }
  }
  for (auto& [container, p] : peers_) {
    if (p.local_down && ConnectLocal(container, p)) {
      Logger("stmgr")->info("link to peer container {} up again", container);
    }
  }
}

std::string PeerMesh::AnnouncementBytes() const {
  return own_on_ ? records::Encode(records::BackpressureOn{container_, own_culprit_})
                 : records::Encode(records::BackpressureOff{container_, own_culprit_});
}

void PeerMesh::Announce(int container, bool on, const std::string& culprit) {
  own_on_ = on;
  own_culprit_ = culprit;
  auto it = peers_.find(container);
  if (it == peers_.end()) return;
  Peer& p = it->second;
  const std::string bytes = AnnouncementBytes();
  if (p.socket) {
    transport::TrySend(*p.socket, bytes);
  } else if (p.local && !p.local->Send({bytes})) {
    // Past the one-message bound if need be: an announcement is never dropped.
    BreakLocal(container, p);
  }
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
