#pragma once

// The stream manager's links to the other containers' stream managers.
// Carries batches and the backpressure announcements (kBackpressureOn/Off,
// naming the culprit), and remembers which peers hold backpressure: one of
// the places that speaks the control protocol.
//
// Two kinds of link, one direction each (a stream manager sends on the
// links it opened and reads the ones it accepted):
//   - to a peer on another host: a ZeroMQ PUSH socket to the peer's TCP data
//     endpoint (a PULL socket that every remote peer pushes to), CURVE
//     unless security.curve is off;
//   - to a peer on this host (its advertised address is this one's, and
//     transport.unix.peers is on): frames over the peer's Unix socket in
//     the owner-only topology directory, as the instance links
//     (transport/frame_socket.h), with no I/O thread and no encryption
//     (docs/decisions.md, "Peer links on one host without ZeroMQ"). A
//     connection opens with the sender's backpressure announcement; one of
//     another user, past the bound, or that sends anything else first or
//     nothing within transport::kHandshakeTimeout is closed and counted. A
//     peer whose Unix socket does not answer is reached over TCP.
//
// Thread: the stream manager's thread only.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "common/status.h"
#include "records/state_records.h"
#include "transport/address.h"
#include "transport/frame_socket.h"

namespace gale::stmgr {

class PeerMesh {
 public:
  // `keys`: the topology's CURVE keys, nullopt with security.curve off.
  // `workers`: the number of containers (bounds the accepted connections).
  PeerMesh(int container, std::optional<records::CurveKeys> keys, int workers);
  ~PeerMesh();

  // Binds the data socket at `network`'s bind address, on a port chosen now
  // (guarded by the process's gatekeeper before this: a CURVE server with
  // curve on).
  Status Bind(const transport::NetworkAddress& network);
  // Listens for the peers of this host at `path` (transport::StmgrPeerSocket
  // of this container), and connects to theirs in `topology_dir`. Without
  // it every peer is reached over TCP.
  Status BindLocal(const std::string& path, const std::string& topology_dir);
  // The advertised data endpoint ("tcp://ADVERTISE:PORT"), and the one bound.
  const std::string& endpoint() const { return endpoint_; }
  const std::string& bound_endpoint() const { return bound_; }
  zmq::socket_t& data_in() { return data_in_; }

  // Connects to `container` at `endpoint` unless already connected there.
  // Returns true if it (re)connected.
  bool Connect(int container, const std::string& endpoint);
  // Non-blocking, the batches as one message; false when the peer is
  // unknown, its link is down or it takes no more now.
  bool Send(int container, const std::vector<std::string_view>& batches);
  // For a peer whose last Send failed: true if it takes more now; otherwise
  // appends what to wait on until it does (for a Unix link, AddLocalPollItems
  // did; nothing while its link is down: Tick reconnects it). Call after
  // AddLocalPollItems.
  bool WaitToSend(int container, std::vector<zmq::pollitem_t>* items);

  // Poll items for the Unix socket of this host's peers and their accepted
  // connections, then for the links to peers whose output waits (written as
  // far as they take it now); ServiceLocal takes the same items back after
  // the poll and appends the frames that arrived (batches and control
  // messages).
  void AddLocalPollItems(std::vector<zmq::pollitem_t>* items);
  void ServiceLocal(const zmq::pollitem_t* items, std::vector<std::string>* frames);
  // Closes accepted connections that did not open in time and reconnects
  // the Unix links that broke; `now_ns` steady.
  void Tick(std::int64_t now_ns);

  // Tells one peer (or every peer) whether this container holds backpressure.
  void Announce(int container, bool on, const std::string& culprit);
  void AnnounceAll(bool on, const std::string& culprit);
  // Applies a control message from a peer.
  void HandleControl(const std::string& bytes);

  bool remote_backpressure() const { return !remote_bp_.empty(); }
  // The culprits named by peers holding backpressure, comma-separated.
  std::string RemoteCulprits() const;
  // Accepted Unix connections closed for breaking the rules above.
  std::uint64_t refused_connections() const { return refused_; }

 private:
  struct Peer {
    std::string endpoint;
    std::optional<zmq::socket_t> socket;               // to another host
    std::unique_ptr<transport::FrameSocket> local;     // to this host, while up
    bool local_down = false;  // a Unix link that broke; Tick reconnects it
  };
  struct Accepted {
    std::unique_ptr<transport::FrameSocket> socket;
    std::int64_t accepted_ns = 0;
    bool opened = false;  // its first frame was an announcement
    bool closed = false;
  };

  bool SameHost(const std::string& endpoint) const;
  // Connects `p`'s Unix link to `container` and sends the opener; false when
  // the peer's socket does not answer.
  bool ConnectLocal(int container, Peer& p);
  void BreakLocal(int container, Peer& p);
  bool SendLocal(int container, Peer& p, const std::vector<std::string_view>& frames);
  std::string AnnouncementBytes() const;
  void Accept();
  void CloseAccepted(Accepted& a, const std::string& why);
  // Counts and logs a connection closed for `why`.
  void Refused(const std::string& why);

  int container_;
  int workers_;
  std::optional<records::CurveKeys> keys_;
  std::size_t max_accepted_;
  zmq::socket_t data_in_;
  std::string endpoint_;
  std::string bound_;
  std::map<int, Peer> peers_;
  std::map<int, std::string> remote_bp_;  // container -> culprit it named
  // What this container last announced (the opener of a new Unix link).
  bool own_on_ = false;
  std::string own_culprit_;
  // The Unix side; listener_ < 0 without BindLocal.
  int listener_ = -1;
  std::string path_;
  std::string topology_dir_;
  std::vector<std::unique_ptr<Accepted>> accepted_;
  std::uint64_t refused_ = 0;
};

}  // namespace gale::stmgr
