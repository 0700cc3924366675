#include "transport/zmq_util.h"

#include <poll.h>

#include "common/clock.h"
#include "records/key_values.h"
#include "wire/codec.h"

namespace gale::transport {

static_assert(kMaxMessageBytes >= static_cast<std::int64_t>(wire::kMaxBatchBytes),
              "a legitimate batch must fit in a message");
static_assert(kMaxMessageBytes >= static_cast<std::int64_t>(records::kMaxRecordBytes),
              "a legitimate control message must fit in a message");

zmq::context_t& Context() {
  static zmq::context_t* context = new zmq::context_t(1);  // lives until exit
  return *context;
}

zmq::socket_t MakeSocket(zmq::socket_type type, int hwm) {
  zmq::socket_t s(Context(), type);
  s.set(zmq::sockopt::linger, 0);
  s.set(zmq::sockopt::sndhwm, hwm);
  s.set(zmq::sockopt::rcvhwm, hwm);
  s.set(zmq::sockopt::maxmsgsize, kMaxMessageBytes);
  s.set(zmq::sockopt::handshake_ivl, static_cast<int>(kHandshakeTimeout.count()));
  // IPv6 too (transport.bind.address may be one); IPv4 works either way.
  s.set(zmq::sockopt::ipv6, true);
  if (type == zmq::socket_type::router) {
    s.set(zmq::sockopt::router_mandatory, 1);
    s.set(zmq::sockopt::router_handover, 1);
  }
  return s;
}

bool TrySend(zmq::socket_t& socket, std::string_view data) {
  try {
    auto r = socket.send(zmq::const_buffer(data.data(), data.size()), zmq::send_flags::dontwait);
    return r.has_value();
  } catch (const zmq::error_t&) {
    return false;
  }
}

bool TrySendTo(zmq::socket_t& socket, std::string_view routing_id, std::string_view data) {
  try {
    auto r = socket.send(zmq::const_buffer(routing_id.data(), routing_id.size()),
                         zmq::send_flags::dontwait | zmq::send_flags::sndmore);
    if (!r) return false;
    // With ROUTER_MANDATORY the first part fails when unroutable; once it is
    // accepted the whole message is.
    socket.send(zmq::const_buffer(data.data(), data.size()), zmq::send_flags::dontwait);
    return true;
  } catch (const zmq::error_t&) {
    return false;
  }
}

namespace {

// Sends frames[0..] after whatever was sent with SNDMORE; false only if
// `first_may_fail` and the first frame did not go.
bool SendRest(zmq::socket_t& socket, const std::vector<std::string_view>& frames,
              bool first_may_fail) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    auto flags = zmq::send_flags::dontwait;
    if (i + 1 < frames.size()) flags = flags | zmq::send_flags::sndmore;
    auto r = socket.send(zmq::const_buffer(frames[i].data(), frames[i].size()), flags);
    if (!r && i == 0 && first_may_fail) return false;
  }
  return true;
}

// Appends the frames of the message whose first frame is in `msg`.
void KeepFrames(zmq::socket_t& socket, zmq::message_t& msg, std::vector<std::string>* frames) {
  std::size_t kept = 0;
  while (true) {
    if (kept < kMaxFrames) {
      frames->emplace_back(static_cast<const char*>(msg.data()), msg.size());
      ++kept;
    }
    if (!msg.more() || !socket.recv(msg, zmq::recv_flags::dontwait)) return;
  }
}

}  // namespace

bool TrySendFrames(zmq::socket_t& socket, const std::vector<std::string_view>& frames) {
  if (frames.empty()) return true;
  try {
    return SendRest(socket, frames, true);
  } catch (const zmq::error_t&) {
    return false;
  }
}

bool TrySendFramesTo(zmq::socket_t& socket, std::string_view routing_id,
                     const std::vector<std::string_view>& frames) {
  if (frames.empty()) return true;
  try {
    auto r = socket.send(zmq::const_buffer(routing_id.data(), routing_id.size()),
                         zmq::send_flags::dontwait | zmq::send_flags::sndmore);
    if (!r) return false;
    return SendRest(socket, frames, false);
  } catch (const zmq::error_t&) {
    return false;
  }
}

bool TryRecvFrames(zmq::socket_t& socket, std::vector<std::string>* frames) {
  zmq::message_t msg;
  try {
    if (!socket.recv(msg, zmq::recv_flags::dontwait)) return false;
    KeepFrames(socket, msg, frames);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return false;
  }
  return true;
}

bool TryRecvRoutedFrames(zmq::socket_t& socket, std::string* routing_id,
                         std::vector<std::string>* frames) {
  zmq::message_t msg;
  try {
    if (!socket.recv(msg, zmq::recv_flags::dontwait)) return false;
    routing_id->assign(static_cast<const char*>(msg.data()), msg.size());
    if (!msg.more() || !socket.recv(msg, zmq::recv_flags::dontwait)) return true;
    KeepFrames(socket, msg, frames);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return false;
  }
  return true;
}

std::optional<std::string> TryRecv(zmq::socket_t& socket) {
  zmq::message_t msg;
  try {
    if (!socket.recv(msg, zmq::recv_flags::dontwait)) return std::nullopt;
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return std::nullopt;
  }
  std::string out(static_cast<const char*>(msg.data()), msg.size());
  while (msg.more()) (void)socket.recv(msg, zmq::recv_flags::dontwait);  // drop extra parts
  return out;
}

std::optional<std::pair<std::string, std::string>> TryRecvRouted(zmq::socket_t& socket) {
  zmq::message_t id;
  try {
    if (!socket.recv(id, zmq::recv_flags::dontwait)) return std::nullopt;
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    return std::nullopt;
  }
  zmq::message_t body;
  if (!id.more() || !socket.recv(body, zmq::recv_flags::dontwait)) return std::nullopt;
  std::pair<std::string, std::string> out{
      std::string(static_cast<const char*>(id.data()), id.size()),
      std::string(static_cast<const char*>(body.data()), body.size())};
  while (body.more()) (void)socket.recv(body, zmq::recv_flags::dontwait);
  return out;
}

void Poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout) {
  try {
    zmq::poll(items, count, timeout);
  } catch (const zmq::error_t& e) {
    if (e.num() != EINTR) throw;
    for (std::size_t i = 0; i < count; ++i) items[i].revents = 0;
  }
}

void PollDescriptors(zmq::pollitem_t* items, std::size_t count, std::chrono::nanoseconds timeout) {
  // The ZMQ_POLL* bits are not poll(2)'s (ZMQ_POLLOUT is POLLPRI's bit):
  // translated both ways, as zmq_poll does for plain descriptors.
  thread_local std::vector<pollfd> fds;
  fds.resize(count);
  for (std::size_t i = 0; i < count; ++i) {
    short events = 0;
    if (items[i].events & ZMQ_POLLIN) events |= POLLIN;
    if (items[i].events & ZMQ_POLLOUT) events |= POLLOUT;
    if (items[i].events & ZMQ_POLLPRI) events |= POLLPRI;
    fds[i] = {items[i].fd, events, 0};
  }
  const timespec ts = ToTimespec(timeout);
  const int n = ppoll(fds.data(), count, &ts, nullptr);
  for (std::size_t i = 0; i < count; ++i) {
    const short got = n > 0 ? fds[i].revents : 0;
    short revents = 0;
    if (got & POLLIN) revents |= ZMQ_POLLIN;
    if (got & POLLOUT) revents |= ZMQ_POLLOUT;
    if (got & POLLPRI) revents |= ZMQ_POLLPRI;
    if (got & ~(POLLIN | POLLOUT | POLLPRI)) revents |= ZMQ_POLLERR;  // POLLERR, POLLHUP, POLLNVAL
    items[i].revents = revents;
  }
}

int EventDescriptor(zmq::socket_t& socket) { return socket.get(zmq::sockopt::fd); }

bool TakesOutput(zmq::socket_t& socket) {
  return (socket.get(zmq::sockopt::events) & ZMQ_POLLOUT) != 0;
}

std::string LastEndpoint(zmq::socket_t& socket) {
  return socket.get(zmq::sockopt::last_endpoint);
}

}  // namespace gale::transport
