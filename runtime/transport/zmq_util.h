#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

namespace gale::transport {

// The process's ZeroMQ context (one I/O thread).
zmq::context_t& Context();

// The largest message part a socket accepts (ZMQ_MAXMSGSIZE): a peer
// sending a bigger one is disconnected. Above the largest legitimate part,
// a batch (wire::kMaxBatchBytes: 64 KiB of records plus one tuple of up to
// 16 MiB of values and 65,536 anchors, about 17.4 MiB) or a control message
// (records::kMaxRecordBytes, 1 MiB); zmq_util.cc checks both.
inline constexpr std::int64_t kMaxMessageBytes = 20 << 20;  // 20 MiB
// A connection that has not completed its ZMTP (and CURVE) handshake this
// long after it was accepted is closed (ZMQ_HANDSHAKE_IVL).
inline constexpr std::chrono::milliseconds kHandshakeTimeout{10'000};

// linger 0, the given high-water marks, kMaxMessageBytes and
// kHandshakeTimeout; ROUTERs also get ROUTER_MANDATORY (unroutable sends
// fail instead of vanishing) and ROUTER_HANDOVER (a restarted peer with the
// same routing id takes over). Server sockets of a submitted topology are
// then guarded by a transport::Gatekeeper (gatekeeper.h), client sockets
// made CURVE clients with SecureClient (curve.h).
zmq::socket_t MakeSocket(zmq::socket_type type, int hwm = 1000);

// Sends without blocking; false when the peer's pipe is full or the peer is
// unknown (ROUTER_MANDATORY), true when queued.
bool TrySend(zmq::socket_t& socket, std::string_view data);
bool TrySendTo(zmq::socket_t& socket, std::string_view routing_id, std::string_view data);

// Sends `frames` (at least one) as one multipart message without blocking:
// several batches cost the sender, the I/O threads and the receiver one
// wake-up instead of one each. All or nothing: false when the first frame
// cannot go (full pipe, unknown peer); once it went, the rest go too.
bool TrySendFrames(zmq::socket_t& socket, const std::vector<std::string_view>& frames);
bool TrySendFramesTo(zmq::socket_t& socket, std::string_view routing_id,
                     const std::vector<std::string_view>& frames);

// Receives one message without blocking and appends each of its frames to
// *frames; false when none was waiting. At most kMaxFrames frames are kept
// (the rest of a longer message is dropped): a hostile peer cannot make a
// reader hold an unbounded message.
constexpr std::size_t kMaxFrames = 1024;
bool TryRecvFrames(zmq::socket_t& socket, std::vector<std::string>* frames);
// The same from a ROUTER: *routing_id gets the first frame.
bool TryRecvRoutedFrames(zmq::socket_t& socket, std::string* routing_id,
                         std::vector<std::string>* frames);

// Receives one single-part message without blocking.
std::optional<std::string> TryRecv(zmq::socket_t& socket);
// Receives [routing id, payload] from a ROUTER without blocking.
std::optional<std::pair<std::string, std::string>> TryRecvRouted(zmq::socket_t& socket);

// zmq::poll that returns (with no events) when a signal interrupts it, so
// signal handlers can ask the loop to stop.
void Poll(zmq::pollitem_t* items, std::size_t count, std::chrono::milliseconds timeout);

// poll(2) on items that are plain descriptors (socket == nullptr), with a
// timeout to the nanosecond: one system call, where zmq::poll makes two
// and asks every ZeroMQ socket for its events before and after. Events are
// ZMQ_POLLIN, ZMQ_POLLOUT and ZMQ_POLLPRI, as for zmq::poll; an error or
// hang-up comes back as ZMQ_POLLERR. Returns with no events when a signal
// interrupts it.
void PollDescriptors(zmq::pollitem_t* items, std::size_t count, std::chrono::nanoseconds timeout);

// The descriptor that signals a change in a ZeroMQ socket's state
// (ZMQ_FD). Edge triggered: a loop may sleep on it only once it received
// from the socket until nothing was left, and again after any send on it
// (a send may take the signal of an arrival).
int EventDescriptor(zmq::socket_t& socket);
// Whether a send on `socket` would be taken now (ZMQ_EVENTS).
bool TakesOutput(zmq::socket_t& socket);

// The endpoint a socket bound to "tcp://ADDRESS:*" actually got.
std::string LastEndpoint(zmq::socket_t& socket);

}  // namespace gale::transport
