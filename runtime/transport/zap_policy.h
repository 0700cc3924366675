#pragma once

// Who may connect to a server socket of a submitted topology: the decisions
// of the ZAP handler (ZeroMQ's authentication protocol, RFC 27), without
// sockets, so they can be tested alone. Gatekeeper (gatekeeper.h) feeds it
// the ZAP requests libzmq sends during each handshake and the connection
// events of each guarded socket.
//
// A handshake is admitted (200) only when
//   - its ZAP domain names a guarded socket,
//   - on a CURVE socket, its mechanism is CURVE and its public key is the
//     topology's client key; on a plain socket (every socket with
//     security.curve: false), its mechanism is NULL,
//   - and the socket has at most `max_connections` open connections,
//     counting this one (else 300, temporary: libzmq drops the connection
//     and the client reconnects, getting in once a slot is free).
// Everything else is refused for good (400: libzmq clients do not
// reconnect after it).
//
// Thread: one (the gatekeeper's).

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace gale::transport {

struct ZapDecision {
  std::string status_code;  // "200", "300", "400" or "500"
  std::string status_text;  // why, for the log and the client
  std::string domain;
  std::string address;      // the peer's address, as libzmq reports it
  bool admitted() const { return status_code == "200"; }
};

class ZapPolicy {
 public:
  // `client_key`: the 32 bytes of the topology's client public key; empty
  // when no socket is a CURVE server.
  explicit ZapPolicy(std::string client_key) : client_key_(std::move(client_key)) {}

  void AddDomain(const std::string& domain, bool curve, std::size_t max_connections);
  // A connection to the domain's socket was accepted, or one was closed.
  void Accepted(const std::string& domain);
  void Disconnected(const std::string& domain);
  std::size_t open_connections(const std::string& domain) const;

  // Decides on one ZAP request (its frames: version, request id, domain,
  // address, routing id, mechanism, credentials...).
  ZapDecision Decide(const std::vector<std::string>& request) const;
  // The frames of the reply to `request` carrying `decision`.
  static std::vector<std::string> Reply(const std::vector<std::string>& request,
                                        const ZapDecision& decision);

 private:
  struct Domain {
    bool curve = false;
    std::size_t max_connections = 0;
    std::size_t open = 0;
  };

  std::string client_key_;
  std::map<std::string, Domain> domains_;
};

}  // namespace gale::transport
