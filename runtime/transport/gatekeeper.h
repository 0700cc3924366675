#pragma once

// The guard of a process's server sockets: a thread serving ZAP
// (inproc://zeromq.zap.01, consulted by libzmq on every handshake of a
// socket that has a ZAP domain) and reading each guarded socket's monitor
// (connections accepted and closed). Decisions are ZapPolicy's
// (zap_policy.h): on a CURVE socket only the topology's client key gets in,
// and no socket takes more than its bound of connections. Every refusal is
// counted and logged, the first at once and then at most one line per 10 s.
//
//   libzmq I/O thread --ZAP request--> [REP zap] ---+
//   guarded socket ---monitor events--> [PAIR]* ----+--> gatekeeper thread
//   ~Gatekeeper --------------stop----> [PAIR] -----+    (blocks in poll)
//
// One per process (the ZAP endpoint belongs to transport::Context()), made
// before the server sockets it guards and destroyed after them: a CURVE
// socket whose ZAP handler is gone admits any client key. Guard() runs on
// the thread owning the socket, before its bind and before Start().

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <zmq.hpp>

#include "common/rate_limited_log.h"
#include "common/status.h"
#include "records/state_records.h"
#include "transport/zap_policy.h"

namespace gale::transport {

// Connections a server socket takes beyond the peers it expects: clients
// of `gale activate|deactivate|kill`, and connections of restarted peers
// that the kernel has not closed yet.
inline constexpr std::size_t kConnectionSlack = 64;

struct GuardOptions {
  std::string domain;            // ZAP domain; unique in the process ("tmaster", "data")
  bool curve = false;            // a CURVE server (needs the gatekeeper's keys)
  std::size_t max_connections = kConnectionSlack;
};

class Gatekeeper {
 public:
  // Binds the process's ZAP endpoint. `keys`: the topology's keys, or
  // nullopt when security.curve is off. `log_module` names the logger.
  static Result<std::unique_ptr<Gatekeeper>> Create(std::optional<records::CurveKeys> keys,
                                                    std::string log_module);
  ~Gatekeeper();
  Gatekeeper(const Gatekeeper&) = delete;
  Gatekeeper& operator=(const Gatekeeper&) = delete;

  // Makes `socket` a server under this gatekeeper: a CURVE server with the
  // topology's server keys when `options.curve`, its ZAP domain, its
  // monitor. Before Start().
  Status Guard(zmq::socket_t& socket, const GuardOptions& options);
  // Starts the thread; the sockets made so far belong to it from now on.
  void Start();

  // Handshakes refused so far (any thread).
  std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }
  // Handshakes admitted so far (any thread).
  std::uint64_t admitted() const { return admitted_.load(std::memory_order_relaxed); }

 private:
  struct Monitor {
    std::string domain;
    zmq::socket_t socket;
  };

  Gatekeeper(std::optional<records::CurveKeys> keys, std::string client_key,
             std::string log_module);
  void Run();
  void ReadMonitor(Monitor& monitor);
  void Answer();
  // Counts and logs (rate-limited) one refused connection.
  void Refused(const std::string& domain, const std::string& address, const std::string& why);

  std::optional<records::CurveKeys> keys_;
  std::string log_module_;
  ZapPolicy policy_;
  zmq::socket_t zap_;
  zmq::socket_t stop_in_;
  zmq::socket_t stop_out_;  // the owner's end
  std::vector<Monitor> monitors_;
  RateLimiter limiter_;  // the gatekeeper thread's
  std::thread thread_;
  std::atomic<std::uint64_t> refused_{0};
  std::atomic<std::uint64_t> admitted_{0};
};

}  // namespace gale::transport
