#include "stmgr/instance_link.h"

#include <unistd.h>

#include <algorithm>

#include "common/clock.h"
#include "metrics/report.h"
#include "records/control.h"
#include "records/refused.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

InstanceLink::InstanceLink(const std::vector<std::int32_t>& local_tasks,
                           std::int32_t max_task_id)
    : max_connections_(local_tasks.size() + transport::kConnectionSlack),
      by_task_(static_cast<std::size_t>(max_task_id) + 1, nullptr),
      local_(static_cast<std::size_t>(max_task_id) + 1, false) {
  for (std::int32_t t : local_tasks) local_[static_cast<std::size_t>(t)] = true;
  // Indexed by SpoutCommand.
  commands_ = {records::Encode(records::Activate{}), records::Encode(records::Deactivate{}),
               records::Encode(records::ThrottleOn{}), records::Encode(records::ThrottleOff{})};
}

InstanceLink::~InstanceLink() {
  if (listener_ >= 0) {
    close(listener_);
    unlink(path_.c_str());
  }
}

Status InstanceLink::Bind(const std::string& path) {
  auto fd = transport::ListenUnix(path);
  if (!fd.ok()) return fd.status();
  listener_ = *fd;
  path_ = path;
  return Status::Ok();
}

void InstanceLink::AddPollItems(std::vector<zmq::pollitem_t>* items) {
  RemoveClosed();
  items->push_back({nullptr, listener_, ZMQ_POLLIN, 0});
  for (const auto& c : connections_) {
    short events = ZMQ_POLLIN;
    if (c->socket->wants_write()) events |= ZMQ_POLLOUT;
    items->push_back({nullptr, c->socket->fd(), events, 0});
  }
}

void InstanceLink::Service(const zmq::pollitem_t* items, InstanceInput* in) {
  // The connections as AddPollItems saw them; Accept appends after them.
  const std::size_t polled = connections_.size();
  for (std::size_t i = 0; i < polled; ++i) {
    Connection& c = *connections_[i];
    const short revents = items[1 + i].revents;
    if (revents == 0 || c.closed) continue;
    if ((revents & ZMQ_POLLOUT) && !c.socket->FlushOut()) {
      Close(c, "");
      continue;
    }
    if ((revents & (ZMQ_POLLIN | ZMQ_POLLERR)) == 0) continue;
    frames_.clear();
    const bool open = c.socket->Receive(&frames_);
    for (std::string& frame : frames_) {
      if (!HandleFrame(c, frame, in)) break;
    }
    if (!open && !c.closed) Close(c, "");
  }
  if (items[0].revents & ZMQ_POLLIN) Accept();
}

void InstanceLink::Accept() {
  transport::AcceptOwnUser(
      listener_, [this] { return connections_.size(); }, max_connections_,
      [this](int fd) {
        auto c = std::make_unique<Connection>();
        c->socket = std::make_unique<transport::FrameSocket>(fd);
        c->accepted_ns = Clock::System()->NowNs();
        connections_.push_back(std::move(c));
      },
      [this](const std::string& why) { Refused(why); });
}

bool InstanceLink::HandleFrame(Connection& c, std::string& frame, InstanceInput* in) {
  if (c.task == 0) {
    // Only a Hello naming a task of this container opens a connection.
    auto m = records::DecodeControl(frame);
    const auto* hello = m.ok() ? std::get_if<records::Hello>(&*m) : nullptr;
    if (hello == nullptr || hello->task < 1 ||
        static_cast<std::size_t>(hello->task) >= local_.size() ||
        !local_[static_cast<std::size_t>(hello->task)]) {
      Close(c, hello == nullptr ? "a connection that did not open with a Hello"
                                : "a Hello for task " + std::to_string(hello->task) +
                                      ", not a task of this container");
      return false;
    }
    Connection*& slot = by_task_[static_cast<std::size_t>(hello->task)];
    if (slot != nullptr && slot != &c) Close(*slot, "");  // a restarted instance
    slot = &c;
    c.task = hello->task;
    in->emplace_back(InstanceReport{InstanceReport::Kind::kHello, c.task, 0, {}});
    return true;
  }
  if (!records::IsControl(frame)) {
    in->emplace_back(std::move(frame));
    return true;
  }
  if (auto report = DecodeReport(c.task, frame)) in->emplace_back(std::move(*report));
  return true;
}

std::optional<InstanceReport> InstanceLink::DecodeReport(std::int32_t task,
                                                         const std::string& bytes) {
  if (records::TypeByte(bytes) == static_cast<std::uint8_t>(records::ControlType::kTaskMetrics)) {
    return DecodeMetrics(task, bytes);
  }
  auto m = records::DecodeControl(bytes);
  if (!m.ok()) {
    records::Refuse("stmgr", "control message from task " + std::to_string(task), m.status());
    return std::nullopt;
  }
  if (const auto* hello = std::get_if<records::Hello>(&*m)) {
    if (hello->task != task) {
      records::Refuse("stmgr", "control message from task " + std::to_string(task),
                      ProtocolError("a Hello for task " + std::to_string(hello->task)));
      return std::nullopt;
    }
    return InstanceReport{InstanceReport::Kind::kHello, task, 0, {}};
  }
  if (const auto* consumed = std::get_if<records::Consumed>(&*m)) {
    return InstanceReport{InstanceReport::Kind::kConsumed, task,
                          static_cast<std::size_t>(consumed->batches), {}};
  }
  return std::nullopt;
}

std::optional<InstanceReport> InstanceLink::DecodeMetrics(std::int32_t task,
                                                          const std::string& bytes) {
  metrics::TaskSnapshot snapshot;
  Status s = metrics::DecodeTaskMessage(bytes, &snapshot);
  if (s.ok() && snapshot.task != task) {
    s = ProtocolError("task " + std::to_string(snapshot.task) + " is not this sender's task");
  }
  if (!s.ok()) {
    ++malformed_metrics_;
    records::Refuse("stmgr", "metrics from task " + std::to_string(task), s);
    return std::nullopt;
  }
  return InstanceReport{InstanceReport::Kind::kMetrics, task, 0, std::move(snapshot)};
}

void InstanceLink::Expire(std::int64_t now_ns) {
  const std::int64_t limit_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(transport::kHandshakeTimeout).count();
  for (const auto& c : connections_) {
    if (!c->closed && c->task == 0 && now_ns - c->accepted_ns > limit_ns) {
      Close(*c, "a connection that sent no Hello within " +
                    std::to_string(transport::kHandshakeTimeout.count()) + " ms");
    }
  }
}

void InstanceLink::Refused(const std::string& why) {
  ++refused_;
  records::Refuse("stmgr", "instance socket", ProtocolError("closed " + why));
}

void InstanceLink::Close(Connection& c, const std::string& why) {
  if (c.closed) return;
  c.closed = true;
  if (!why.empty()) Refused(why);
  if (c.task != 0 && by_task_[static_cast<std::size_t>(c.task)] == &c) {
    by_task_[static_cast<std::size_t>(c.task)] = nullptr;
  }
}

void InstanceLink::RemoveClosed() {
  connections_.erase(std::remove_if(connections_.begin(), connections_.end(),
                                    [](const auto& c) { return c->closed; }),
                     connections_.end());
}

bool InstanceLink::Send(std::int32_t task, const std::vector<std::string_view>& frames) {
  Connection* c = by_task_[static_cast<std::size_t>(task)];
  if (c == nullptr) return false;
  if (!c->socket->Send(frames)) {
    Close(*c, "");
    return false;
  }
  return true;
}

bool InstanceLink::SendBatches(std::int32_t task, const std::vector<std::string_view>& batches) {
  return Send(task, batches);
}

bool InstanceLink::SendCommand(std::int32_t task, SpoutCommand command) {
  return Send(task, {commands_[static_cast<std::size_t>(command)]});
}

}  // namespace gale::stmgr
