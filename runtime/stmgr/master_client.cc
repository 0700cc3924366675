#include "stmgr/master_client.h"

#include <unistd.h>

#include "common/log.h"
#include "records/control.h"
#include "records/refused.h"
#include "records/state_records.h"
#include "transport/curve.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {

MasterClient::MasterClient(int container, const std::optional<records::CurveKeys>& keys)
    : container_(container),
      socket_(transport::MakeSocket(zmq::socket_type::dealer, 1000)) {
  socket_.set(zmq::sockopt::routing_id, "stmgr-" + std::to_string(container_));
  if (keys) transport::SecureClient(socket_, *keys);
}

bool MasterClient::ConnectTo(const std::string& ep) {
  if (ep.empty() || ep == endpoint_) return false;
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
  return true;
}

void MasterClient::Register(const std::string& data_endpoint) {
  if (endpoint_.empty()) return;
  records::Register reg{container_, data_endpoint, static_cast<std::int32_t>(getpid()),
                        plan_version_};
  transport::TrySend(socket_, records::Encode(reg));
}

void MasterClient::SendReports(const std::vector<std::string>& reports) {
  if (endpoint_.empty()) return;
  for (const std::string& m : reports) transport::TrySend(socket_, m);
}

std::optional<PlanUpdate> MasterClient::ReceivePlan() {
  while (auto bytes = transport::TryRecv(socket_)) {
    auto m = records::DecodeControl(*bytes);
    if (!m.ok()) {
      records::Refuse("stmgr", "control message from the topology master", m.status());
      continue;
    }
    const auto* received = std::get_if<records::Plan>(&*m);
    if (received == nullptr) continue;
    PlanUpdate plan;
    plan.version = received->version;
    plan.active = received->active;
    for (const records::PlanEntry& e : received->entries) {
      plan.stmgrs.emplace_back(e.container, e.endpoint);
    }
    plan_version_ = plan.version;
    return plan;
  }
  return std::nullopt;
}

}  // namespace gale::stmgr
