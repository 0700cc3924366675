#include "transport/gatekeeper.h"

#include <pthread.h>
#include <signal.h>
#include <zmq.h>

#include <cstring>

#include "common/check.h"
#include "common/log.h"
#include "common/rate_limited_log.h"
#include "transport/curve.h"
#include "transport/zmq_util.h"

namespace gale::transport {
namespace {

constexpr const char* kZapEndpoint = "inproc://zeromq.zap.01";

// A name for an inproc endpoint unique in the process.
std::string UniqueInproc(const char* what) {
  static std::atomic<std::uint64_t> next{0};
  return std::string("inproc://gale.") + what + "." + std::to_string(next.fetch_add(1));
}

// Receives every frame of one message without blocking; false when none.
bool RecvAll(zmq::socket_t& socket, std::vector<std::string>* frames) {
  frames->clear();
  return TryRecvFrames(socket, frames);
}

}  // namespace

Result<std::unique_ptr<Gatekeeper>> Gatekeeper::Create(std::optional<records::CurveKeys> keys,
                                                       std::string log_module) {
  std::string client_key;
  if (keys) {
    auto decoded = DecodeZ85Key(keys->client_public);
    if (!decoded.ok()) return ProtocolError("client public key: " + decoded.status().message());
    client_key = std::move(decoded).value();
  }
  std::unique_ptr<Gatekeeper> g(
      new Gatekeeper(std::move(keys), std::move(client_key), std::move(log_module)));
  try {
    g->zap_.bind(kZapEndpoint);
  } catch (const zmq::error_t& e) {
    return IoError(std::string("cannot bind the ZAP handler at ") + kZapEndpoint + ": " +
                   e.what() + " (one gatekeeper per process)");
  }
  std::string stop = UniqueInproc("gatekeeper.stop");
  g->stop_in_.bind(stop);
  g->stop_out_.connect(stop);
  return g;
}

Gatekeeper::Gatekeeper(std::optional<records::CurveKeys> keys, std::string client_key,
                       std::string log_module)
    : keys_(std::move(keys)),
      log_module_(std::move(log_module)),
      policy_(std::move(client_key)),
      zap_(Context(), zmq::socket_type::rep),
      stop_in_(Context(), zmq::socket_type::pair),
      stop_out_(Context(), zmq::socket_type::pair) {
  for (zmq::socket_t* s : {&zap_, &stop_in_, &stop_out_}) s->set(zmq::sockopt::linger, 0);
}

Gatekeeper::~Gatekeeper() {
  if (thread_.joinable()) {
    // Blocks only until the thread's pipe takes one message; the thread is
    // waiting for it.
    stop_out_.send(zmq::str_buffer("stop"), zmq::send_flags::none);
    thread_.join();
  }
}

Status Gatekeeper::Guard(zmq::socket_t& socket, const GuardOptions& options) {
  GALE_CHECK(!thread_.joinable());
  if (options.curve && !keys_) {
    return InvalidArgument("socket '" + options.domain + "': CURVE without the topology's keys");
  }
  if (options.domain.empty()) return InvalidArgument("a guarded socket needs a ZAP domain");
  for (const Monitor& m : monitors_) {
    if (m.domain == options.domain) {
      return InvalidArgument("ZAP domain '" + options.domain + "' is already guarded");
    }
  }
  if (options.curve) SecureServer(socket, *keys_);
  socket.set(zmq::sockopt::zap_domain, options.domain);
  std::string endpoint = UniqueInproc("monitor");
  // Handshakes the ZAP handler never saw fail too (a client without keys
  // on a CURVE socket: the mechanisms differ); count them as refusals.
  if (zmq_socket_monitor(socket.handle(), endpoint.c_str(),
                         ZMQ_EVENT_ACCEPTED | ZMQ_EVENT_DISCONNECTED |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                             ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) != 0) {
    return IoError("cannot monitor socket '" + options.domain + "': " +
                   zmq_strerror(zmq_errno()));
  }
  Monitor m{options.domain, zmq::socket_t(Context(), zmq::socket_type::pair)};
  m.socket.set(zmq::sockopt::linger, 0);
  m.socket.connect(endpoint);
  monitors_.push_back(std::move(m));
  policy_.AddDomain(options.domain, options.curve, options.max_connections);
  return Status::Ok();
}

void Gatekeeper::Start() {
  GALE_CHECK(!thread_.joinable());
  thread_ = std::thread([this] {
    // Signals (SIGTERM, SIGINT) are for the owner's loop, which stops on
    // them; this thread stops through ~Gatekeeper.
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    Run();
  });
}

void Gatekeeper::Run() {
  std::vector<zmq::pollitem_t> items;
  items.push_back({static_cast<void*>(stop_in_), 0, ZMQ_POLLIN, 0});
  items.push_back({static_cast<void*>(zap_), 0, ZMQ_POLLIN, 0});
  for (Monitor& m : monitors_) items.push_back({static_cast<void*>(m.socket), 0, ZMQ_POLLIN, 0});
  while (true) {
    // Sleeps until a handshake needs a decision or a connection opens or
    // closes.
    Poll(items.data(), items.size(), std::chrono::milliseconds(-1));
    if (items[0].revents & ZMQ_POLLIN) return;
    // Connection events first: a request's own connection is counted
    // before it is decided on (libzmq reports the accept before it starts
    // the handshake).
    for (std::size_t i = 0; i < monitors_.size(); ++i) {
      if (items[2 + i].revents & ZMQ_POLLIN) ReadMonitor(monitors_[i]);
    }
    if (items[1].revents & ZMQ_POLLIN) Answer();
  }
}

void Gatekeeper::ReadMonitor(Monitor& monitor) {
  std::vector<std::string> frames;
  while (RecvAll(monitor.socket, &frames)) {
    // Frame 1: event (uint16) and value (uint32), host order; frame 2: the
    // endpoint.
    if (frames.empty() || frames[0].size() < 2) continue;
    std::uint16_t event = 0;
    std::memcpy(&event, frames[0].data(), sizeof event);
    if (event == ZMQ_EVENT_ACCEPTED) policy_.Accepted(monitor.domain);
    if (event == ZMQ_EVENT_DISCONNECTED) policy_.Disconnected(monitor.domain);
    if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL ||
        event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL) {
      Refused(monitor.domain, "", "handshake failed (a client without the topology's keys?)");
    }
  }
}

void Gatekeeper::Refused(const std::string& domain, const std::string& address,
                         const std::string& why) {
  std::uint64_t total = refused_.fetch_add(1, std::memory_order_relaxed) + 1;
  if (auto suppressed = limiter_.Allow(RateLimiter::Clock::now())) {
    Logger(log_module_)
        ->warn("refused a connection to '{}'{}: {} (refused_total={} suppressed_since_last={})",
               domain.substr(0, 64), address.empty() ? "" : " from '" + address.substr(0, 64) + "'",
               why, total, *suppressed);
  }
}

void Gatekeeper::Answer() {
  std::vector<std::string> request;
  while (RecvAll(zap_, &request)) {
    ZapDecision d = policy_.Decide(request);
    if (d.admitted()) {
      admitted_.fetch_add(1, std::memory_order_relaxed);
    } else {
      Refused(d.domain, d.address, d.status_text);
    }
    std::vector<std::string> reply = ZapPolicy::Reply(request, d);
    std::vector<std::string_view> frames(reply.begin(), reply.end());
    // A REP socket must answer before it reads the next request; libzmq
    // always reads the reply, so this send does not wait.
    for (std::size_t i = 0; i < frames.size(); ++i) {
      zap_.send(zmq::const_buffer(frames[i].data(), frames[i].size()),
                i + 1 < frames.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
    }
  }
}

}  // namespace gale::transport
