#pragma once

// The stream manager's side of its local instances: one ROUTER socket over
// ipc:// in the owner-only (0700) state directory, so not CURVE, but bounded
// like every server socket (transport/gatekeeper.h); each instance a DEALER
// with routing id "task-N". Sends never block
// (ROUTER_MANDATORY makes an unroutable send fail instead of vanishing).
// Decodes what instances report and encodes what spouts are told: one of
// the places that speaks the control protocol.
//
// Thread: the stream manager's thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <zmq.hpp>

#include "common/status.h"
#include "metrics/snapshot.h"
#include "stmgr/spout_state.h"

namespace gale::stmgr {

// Something an instance told its stream manager.
struct InstanceReport {
  enum class Kind { kHello, kConsumed, kMetrics };
  Kind kind;
  std::int32_t task;
  std::size_t batches = 0;  // kConsumed: batches finished
  metrics::TaskSnapshot metrics;  // kMetrics: the task's snapshot
};

class InstanceLink {
 public:
  // `local_tasks`: the tasks of this container; `max_task_id` bounds them.
  InstanceLink(const std::vector<std::int32_t>& local_tasks, std::int32_t max_task_id);

  Status Bind(const std::string& endpoint);
  zmq::socket_t& socket() { return socket_; }

  // Non-blocking sends; false when the instance cannot take it now. The
  // batches go as one message, a frame each.
  bool SendBatches(std::int32_t task, const std::vector<std::string_view>& batches);
  bool SendCommand(std::int32_t task, SpoutCommand command);

  // A control message from routing id `from`; nullopt if it is none we
  // understand.
  std::optional<InstanceReport> DecodeReport(const std::string& from,
                                             const std::string& bytes) const;

  // Metrics messages refused so far.
  std::uint64_t malformed_metrics() const { return malformed_metrics_; }

 private:
  std::optional<InstanceReport> DecodeMetrics(const std::string& from,
                                              const std::string& bytes) const;

  mutable std::uint64_t malformed_metrics_ = 0;
  zmq::socket_t socket_;
  std::vector<std::string> ids_;        // routing id by task ("" if not local)
  std::vector<std::string> commands_;   // encoded, by SpoutCommand
};

}  // namespace gale::stmgr
