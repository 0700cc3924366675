#include "stmgr/instance_link.h"

#include "common/parse.h"
#include "metrics/report.h"
#include "stmgr/delivery_queue.h"
#include "records/control.h"
#include "records/refused.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

InstanceLink::InstanceLink(const std::vector<std::int32_t>& local_tasks,
                           std::int32_t max_task_id)
    // Room for every batch the credit window lets go (DeliveryQueue) plus
    // the spout commands, so a send to a live instance does not fail and
    // nothing needs a retry timer; the window keeps what a slow task has not
    // taken in the router's queues, where backpressure sees it.
    : socket_(transport::MakeSocket(zmq::socket_type::router,
                                    static_cast<int>(2 * DeliveryQueue::kWindowBatches + 8))),
      ids_(static_cast<std::size_t>(max_task_id) + 1) {
  for (std::int32_t t : local_tasks) ids_[static_cast<std::size_t>(t)] = "task-" + std::to_string(t);
  // Indexed by SpoutCommand.
  commands_ = {records::Encode(records::Activate{}), records::Encode(records::Deactivate{}),
               records::Encode(records::ThrottleOn{}), records::Encode(records::ThrottleOff{})};
}

Status InstanceLink::Bind(const std::string& endpoint) {
  try {
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return IoError("cannot bind " + endpoint + ": " + e.what());
  }
  return Status::Ok();
}

bool InstanceLink::SendBatches(std::int32_t task, const std::vector<std::string_view>& batches) {
  return transport::TrySendFramesTo(socket_, ids_[static_cast<std::size_t>(task)], batches);
}

bool InstanceLink::SendCommand(std::int32_t task, SpoutCommand command) {
  return transport::TrySendTo(socket_, ids_[static_cast<std::size_t>(task)],
                              commands_[static_cast<std::size_t>(command)]);
}

std::optional<InstanceReport> InstanceLink::DecodeReport(const std::string& from,
                                                         const std::string& bytes) const {
  if (records::TypeByte(bytes) == static_cast<std::uint8_t>(records::ControlType::kTaskMetrics)) {
    return DecodeMetrics(from, bytes);
  }
  auto m = records::DecodeControl(bytes);
  if (!m.ok()) {
    records::Refuse("stmgr", "control message from an instance", m.status());
    return std::nullopt;
  }
  auto task = std::string_view(from).substr(0, 5) == "task-"
                  ? ParseInt(std::string_view(from).substr(5), 1, ids_.size() - 1, "routing id")
                  : Result<std::int64_t>(ProtocolError("routing id: not 'task-N'"));
  if (!task.ok() || ids_[static_cast<std::size_t>(*task)].empty()) {
    // Not a task of this container.
    records::Refuse("stmgr", "control message from '" + from.substr(0, 32) + "'",
                    task.ok() ? ProtocolError("not a task of this container") : task.status());
    return std::nullopt;
  }
  auto id = static_cast<std::int32_t>(*task);
  if (std::holds_alternative<records::Hello>(*m)) {
    return InstanceReport{InstanceReport::Kind::kHello, id, 0, {}};
  }
  if (const auto* consumed = std::get_if<records::Consumed>(&*m)) {
    return InstanceReport{InstanceReport::Kind::kConsumed, id,
                          static_cast<std::size_t>(consumed->batches), {}};
  }
  return std::nullopt;
}

std::optional<InstanceReport> InstanceLink::DecodeMetrics(const std::string& from,
                                                          const std::string& bytes) const {
  metrics::TaskSnapshot snapshot;
  Status s = metrics::DecodeTaskMessage(bytes, &snapshot);
  if (s.ok() && (from != "task-" + std::to_string(snapshot.task) ||
                 static_cast<std::size_t>(snapshot.task) >= ids_.size() ||
                 ids_[static_cast<std::size_t>(snapshot.task)].empty())) {
    s = ProtocolError("task " + std::to_string(snapshot.task) + " is not this sender's task");
  }
  if (!s.ok()) {
    ++malformed_metrics_;
    records::Refuse("stmgr", "metrics from '" + from.substr(0, 32) + "'", s);
    return std::nullopt;
  }
  std::int32_t task = snapshot.task;
  return InstanceReport{InstanceReport::Kind::kMetrics, task, 0, std::move(snapshot)};
}

}  // namespace gale::stmgr
