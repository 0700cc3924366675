#pragma once

// The stream manager's side of its local instances: one Unix stream socket
// in the owner-only (0700) topology directory, a connection per instance,
// frames as in transport/frame_socket.h. An instance names its task with the
// Hello that opens its connection; a new Hello for a task replaces the
// older connection (a restarted instance). Connections of another user, past
// the bound (local tasks + transport::kConnectionSlack), or that send
// anything else before their Hello or do not send it within
// transport::kHandshakeTimeout are closed. Sends never block: what the
// kernel does not take waits in the connection's buffer, which the credit
// window (DeliveryQueue) bounds. Decodes what instances report and encodes
// what spouts are told: one of the places that speaks the control protocol.
//
// Thread: the stream manager's thread only.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <zmq.hpp>

#include "common/status.h"
#include "metrics/snapshot.h"
#include "stmgr/spout_state.h"
#include "transport/frame_socket.h"

namespace gale::stmgr {

// Something an instance told its stream manager.
struct InstanceReport {
  enum class Kind { kHello, kConsumed, kMetrics };
  Kind kind;
  std::int32_t task;
  std::size_t batches = 0;  // kConsumed: batches finished
  metrics::TaskSnapshot metrics;  // kMetrics: the task's snapshot
};

// What the instances sent: batches to route and reports, in the order each
// instance sent them.
using InstanceInput = std::vector<std::variant<std::string, InstanceReport>>;

class InstanceLink {
 public:
  // `local_tasks`: the tasks of this container; `max_task_id` bounds them.
  InstanceLink(const std::vector<std::int32_t>& local_tasks, std::int32_t max_task_id);
  ~InstanceLink();

  Status Bind(const std::string& path);

  // Appends a poll item for the listening socket and one per connection
  // (asking to write where output waits); Service takes the same items
  // back after the poll.
  void AddPollItems(std::vector<zmq::pollitem_t>* items);
  // Accepts, reads and writes what the poll found ready. Appends what the
  // instances sent, in the order each sent it.
  void Service(const zmq::pollitem_t* items, InstanceInput* in);
  // Closes connections that did not say Hello in time; `now_ns` steady.
  void Expire(std::int64_t now_ns);

  // Non-blocking sends; false when the task has no connection. The batches
  // go as one write.
  bool SendBatches(std::int32_t task, const std::vector<std::string_view>& batches);
  bool SendCommand(std::int32_t task, SpoutCommand command);

  // Metrics messages refused so far.
  std::uint64_t malformed_metrics() const { return malformed_metrics_; }
  // Connections closed for breaking the rules above.
  std::uint64_t refused_connections() const { return refused_; }

 private:
  struct Connection {
    std::unique_ptr<transport::FrameSocket> socket;
    std::int32_t task = 0;  // 0 until its Hello
    std::int64_t accepted_ns = 0;
    bool closed = false;
  };

  void Accept();
  // Handles one frame of `c`; false when the connection must close.
  bool HandleFrame(Connection& c, std::string& frame, InstanceInput* in);
  std::optional<InstanceReport> DecodeReport(std::int32_t task, const std::string& bytes);
  std::optional<InstanceReport> DecodeMetrics(std::int32_t task, const std::string& bytes);
  void Close(Connection& c, const std::string& why);
  // Counts and logs a connection closed for `why`.
  void Refused(const std::string& why);
  void RemoveClosed();
  bool Send(std::int32_t task, const std::vector<std::string_view>& frames);

  std::uint64_t malformed_metrics_ = 0;
  std::uint64_t refused_ = 0;
  int listener_ = -1;
  std::string path_;
  std::size_t max_connections_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::vector<Connection*> by_task_;  // the connection of each local task, or null
  std::vector<bool> local_;           // by task id
  std::vector<std::string> commands_;  // encoded, by SpoutCommand
  std::vector<std::string> frames_;    // reused by Service
};

}  // namespace gale::stmgr
