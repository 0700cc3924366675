#include "stmgr/master_client.h"

#include <unistd.h>

#include "common/log.h"
#include "transport/control.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

using transport::ControlMessage;
using transport::ControlType;

MasterClient::MasterClient(const state::StateManager* sm, std::string topology, int container)
    : sm_(sm),
      topology_(std::move(topology)),
      container_(container),
      socket_(transport::MakeSocket(zmq::socket_type::dealer, 1000)) {
  socket_.set(zmq::sockopt::routing_id, "stmgr-" + std::to_string(container_));
}

void MasterClient::Connect() {
  auto tm = sm_->ReadKv(topology_, "tmaster");
  if (!tm) return;
  std::string ep = tm->GetOr("endpoint", "");
  if (ep.empty() || ep == endpoint_) return;
  if (!endpoint_.empty()) {
    try {
      socket_.disconnect(endpoint_);
    } catch (const zmq::error_t&) {
    }
  }
  socket_.connect(ep);
  endpoint_ = ep;
  plan_version_.clear();
  Logger("stmgr")->info("connected to topology master at {}", ep);
}

void MasterClient::Register(const std::string& data_endpoint) {
  Connect();
  ControlMessage reg{ControlType::kRegister, {}};
  reg.fields.Add("container", std::to_string(container_));
  reg.fields.Add("endpoint", data_endpoint);
  reg.fields.Add("pid", std::to_string(getpid()));
  reg.fields.Add("plan_version", plan_version_);
  transport::TrySend(socket_, transport::EncodeControl(reg));
}

std::optional<PlanUpdate> MasterClient::ReceivePlan() {
  while (auto bytes = transport::TryRecv(socket_)) {
    auto m = transport::DecodeControl(*bytes);
    if (!m.ok() || m->type != ControlType::kPlan) continue;
    PlanUpdate plan;
    plan.version = m->fields.GetOr("version", "");
    plan.active = m->fields.GetOr("active", "1") == "1";
    for (const std::string& entry : m->fields.GetAll("stmgr")) {
      // "<container> <endpoint>"
      auto space = entry.find(' ');
      if (space == std::string::npos) continue;
      plan.stmgrs.emplace_back(std::stoi(entry.substr(0, space)), entry.substr(space + 1));
    }
    plan_version_ = plan.version;
    return plan;
  }
  return std::nullopt;
}

}  // namespace gale::stmgr
