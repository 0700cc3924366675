#pragma once

// The stream manager's links to the other containers' stream managers: a
// PULL socket that every peer pushes to, and one PUSH socket per peer
// (connected when the physical plan names it). Carries batches and the
// backpressure announcements (kBackpressureOn/Off, naming the culprit),
// and remembers which peers hold backpressure: one of the places that
// speaks the control protocol.
//
// Thread: the stream manager's thread only.

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "common/status.h"
#include "records/state_records.h"
#include "transport/address.h"

namespace gale::stmgr {

class PeerMesh {
 public:
  // `keys`: the topology's CURVE keys, nullopt with security.curve off.
  PeerMesh(int container, std::optional<records::CurveKeys> keys);

  // Binds the data socket at `network`'s bind address, on a port chosen now
  // (guarded by the process's gatekeeper before this: a CURVE server with
  // curve on).
  Status Bind(const transport::NetworkAddress& network);
  // The advertised data endpoint ("tcp://ADVERTISE:PORT"), and the one bound.
  const std::string& endpoint() const { return endpoint_; }
  const std::string& bound_endpoint() const { return bound_; }
  zmq::socket_t& data_in() { return data_in_; }

  // Connects to `container` at `endpoint` unless already connected there.
  // Returns true if it (re)connected.
  bool Connect(int container, const std::string& endpoint);
  // Non-blocking, the batches as one message; false when the peer is
  // unknown or its pipe is full.
  bool Send(int container, const std::vector<std::string_view>& batches);
  // The socket towards `container`, or null if not connected (to wait until
  // a full pipe takes more).
  zmq::socket_t* socket_to(int container);

  // Tells one peer (or every peer) whether this container holds backpressure.
  void Announce(int container, bool on, const std::string& culprit);
  void AnnounceAll(bool on, const std::string& culprit);
  // Applies a control message from a peer.
  void HandleControl(const std::string& bytes);

  bool remote_backpressure() const { return !remote_bp_.empty(); }
  // The culprits named by peers holding backpressure, comma-separated.
  std::string RemoteCulprits() const;

 private:
  struct Peer {
    zmq::socket_t socket;
    std::string endpoint;
  };

  int container_;
  std::optional<records::CurveKeys> keys_;
  zmq::socket_t data_in_;
  std::string endpoint_;
  std::string bound_;
  std::map<int, Peer> peers_;
  std::map<int, std::string> remote_bp_;  // container -> culprit it named
};

}  // namespace gale::stmgr
