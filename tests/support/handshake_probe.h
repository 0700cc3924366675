#pragma once

// Watches the handshakes of a client ZeroMQ socket (its monitor) so a test
// can wait for the outcome instead of sleeping: ZeroMQ sends a socket's
// messages only after a handshake succeeded, so a client whose every
// handshake failed delivered nothing.

#include <zmq.h>

#include <chrono>
#include <cstdint>
#include <cstring>
#include <string>

#include <zmq.hpp>

namespace gale::testing {

class HandshakeProbe {
 public:
  enum class Outcome { kSucceeded, kFailed, kTimeout };

  // Call before `socket` connects; `socket` must outlive the probe's use.
  HandshakeProbe(zmq::context_t& context, zmq::socket_t& socket)
      : events_(context, zmq::socket_type::pair) {
    static int next = 0;
    std::string endpoint = "inproc://test.probe." + std::to_string(next++);
    zmq_socket_monitor(socket.handle(), endpoint.c_str(),
                       ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL |
                           ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                           ZMQ_EVENT_HANDSHAKE_FAILED_AUTH | ZMQ_EVENT_DISCONNECTED);
    events_.set(zmq::sockopt::linger, 0);
    events_.connect(endpoint);
  }

  // The first handshake outcome within `limit`: a success, or a failure
  // (refused by the server's ZAP handler, or a mechanism the server does
  // not speak, which makes it drop the connection). `*status` gets the
  // event's value (the ZAP status code for an authentication failure).
  Outcome Wait(std::chrono::milliseconds limit, std::uint32_t* status = nullptr) {
    auto deadline = std::chrono::steady_clock::now() + limit;
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return Outcome::kTimeout;
      events_.set(zmq::sockopt::rcvtimeo, static_cast<int>(left.count()));
      zmq::message_t head;
      if (!events_.recv(head)) return Outcome::kTimeout;
      zmq::message_t endpoint;
      if (head.more()) (void)events_.recv(endpoint);
      std::uint16_t event = 0;
      std::uint32_t value = 0;
      if (head.size() >= 6) {
        std::memcpy(&event, head.data(), 2);
        std::memcpy(&value, static_cast<const char*>(head.data()) + 2, 4);
      }
      if (status != nullptr) *status = value;
      if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) return Outcome::kSucceeded;
      if (event != 0) return Outcome::kFailed;
    }
  }

 private:
  zmq::socket_t events_;
};

}  // namespace gale::testing
