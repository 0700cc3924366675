#include "stmgr/instance_link.h"

#include <cstdlib>

#include "transport/control.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

using transport::ControlType;

InstanceLink::InstanceLink(const std::vector<std::int32_t>& local_tasks,
                           std::int32_t max_task_id)
    // A small pipe: what cannot be sent waits in the router's queues, where
    // backpressure can see it.
    : socket_(transport::MakeSocket(zmq::socket_type::router, 2)),
      ids_(static_cast<std::size_t>(max_task_id) + 1) {
  for (std::int32_t t : local_tasks) ids_[static_cast<std::size_t>(t)] = "task-" + std::to_string(t);
  // Indexed by SpoutCommand.
  for (ControlType type : {ControlType::kActivate, ControlType::kDeactivate,
                           ControlType::kThrottleOn, ControlType::kThrottleOff}) {
    commands_.push_back(transport::EncodeControl({type, {}}));
  }
}

Status InstanceLink::Bind(const std::string& endpoint) {
  try {
    socket_.bind(endpoint);
  } catch (const zmq::error_t& e) {
    return IoError("cannot bind " + endpoint + ": " + e.what());
  }
  return Status::Ok();
}

bool InstanceLink::SendBatch(std::int32_t task, const std::string& batch) {
  return transport::TrySendTo(socket_, ids_[static_cast<std::size_t>(task)], batch);
}

bool InstanceLink::SendCommand(std::int32_t task, SpoutCommand command) {
  return transport::TrySendTo(socket_, ids_[static_cast<std::size_t>(task)],
                              commands_[static_cast<std::size_t>(command)]);
}

std::optional<InstanceReport> InstanceLink::DecodeReport(const std::string& from,
                                                         const std::string& bytes) const {
  auto m = transport::DecodeControl(bytes);
  if (!m.ok() || from.rfind("task-", 0) != 0) return std::nullopt;
  std::int32_t task = std::atoi(from.c_str() + 5);
  if (task < 1 || static_cast<std::size_t>(task) >= ids_.size() ||
      ids_[static_cast<std::size_t>(task)].empty()) {
    return std::nullopt;  // not a task of this container
  }
  if (m->type == ControlType::kRegister) return InstanceReport{InstanceReport::Kind::kHello, task};
  if (m->type == ControlType::kConsumed) {
    std::size_t done = std::strtoull(m->fields.GetOr("batches", "0").c_str(), nullptr, 10);
    return InstanceReport{InstanceReport::Kind::kConsumed, task, done};
  }
  return std::nullopt;
}

}  // namespace gale::stmgr
