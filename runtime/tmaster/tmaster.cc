#include "tmaster/tmaster.h"

#include <signal.h>
#include <unistd.h>

#include <map>
#include <random>

#include "common/log.h"
#include "common/stop_signal.h"
#include "launch/topology_source.h"
#include "state/state_manager.h"
#include "transport/control.h"
#include "transport/zmq_util.h"

namespace gale::tmaster {
namespace {

using Clock = std::chrono::steady_clock;
using transport::ControlMessage;
using transport::ControlType;

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

struct StmgrInfo {
  std::string endpoint;
  int pid = 0;
  Clock::time_point last_seen;
};

class TopologyMaster {
 public:
  TopologyMaster(const TmasterOptions& options, std::shared_ptr<const plan::TopologyPlan> plan)
      : options_(options),
        sm_(options.state_root),
        plan_(std::move(plan)),
        log_(Logger("tmaster")),
        socket_(transport::MakeSocket(zmq::socket_type::router, 1000)) {
    std::random_device rd;
    incarnation_ = std::to_string(rd()) + std::to_string(rd());
  }

  Status Start() {
    socket_.bind("tcp://127.0.0.1:*");
    endpoint_ = transport::LastEndpoint(socket_);
    auto state = sm_.ReadKv(options_.topology, "activation");
    active_ = !state || state->GetOr("active", "1") == "1";
    state::KeyValues packing;
    for (std::int32_t t = 1; t <= plan_->max_task_id(); ++t) {
      packing.Add("task", std::to_string(t) + " " + std::to_string(plan_->container_of(t)) + " " +
                              plan_->component_of(t).id);
    }
    packing.Add("workers", std::to_string(plan_->workers()));
    GALE_RETURN_IF_ERROR(sm_.WriteKv(options_.topology, "packing", packing));
    state::KeyValues me;
    me.Add("pid", std::to_string(getpid()));
    me.Add("endpoint", endpoint_);
    GALE_RETURN_IF_ERROR(sm_.WriteKv(options_.topology, "tmaster", me));
    log_->info("topology master of '{}' at {} ({} containers, {} tasks)", options_.topology,
               endpoint_, plan_->workers(), plan_->max_task_id());
    return Status::Ok();
  }

  void Run() {
    while (!g_stop->load()) {
      zmq::pollitem_t item{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0};
      transport::Poll(&item, 1, std::chrono::milliseconds(100));
      while (auto m = transport::TryRecvRouted(socket_)) Handle(m->first, m->second);
    }
  }

 private:
  std::string Version() const { return incarnation_ + "." + std::to_string(version_); }

  void Handle(const std::string& from, const std::string& bytes) {
    auto m = transport::DecodeControl(bytes);
    if (!m.ok()) {
      log_->warn("bad control message from {}: {}", from, m.status().message());
      return;
    }
    if (m->type == ControlType::kRegister) {
      int container = std::stoi(m->fields.GetOr("container", "-1"));
      if (container < 0 || container >= plan_->workers()) return;
      std::string endpoint = m->fields.GetOr("endpoint", "");
      StmgrInfo& info = stmgrs_[container];
      bool changed = info.endpoint != endpoint;
      info.endpoint = endpoint;
      info.pid = std::stoi(m->fields.GetOr("pid", "0"));
      info.last_seen = Clock::now();
      if (changed) {
        ++version_;
        log_->info("stream manager of container {} registered at {}", container, endpoint);
        if (Complete()) {
          WritePhysicalPlan();
          Broadcast();
        }
      } else if (Complete() && m->fields.GetOr("plan_version", "") != Version()) {
        SendPlan(from);
      }
    } else if (m->type == ControlType::kRequest) {
      std::string command = m->fields.GetOr("command", "");
      ControlMessage reply{ControlType::kReply, {}};
      if (command == "activate" || command == "deactivate") {
        active_ = command == "activate";
        state::KeyValues a;
        a.Add("active", active_ ? "1" : "0");
        (void)sm_.WriteKv(options_.topology, "activation", a);
        ++version_;
        if (Complete()) Broadcast();
        reply.fields.Add("ok", "1");
        reply.fields.Add("message", "topology '" + options_.topology + "' " +
                                        (active_ ? "activated" : "deactivated"));
        log_->info("{}", reply.fields.GetOr("message", ""));
      } else {
        reply.fields.Add("ok", "0");
        reply.fields.Add("message", "unknown command '" + command + "'");
      }
      transport::TrySendTo(socket_, from, transport::EncodeControl(reply));
    }
  }

  bool Complete() const { return static_cast<int>(stmgrs_.size()) == plan_->workers(); }

  ControlMessage PlanMessage() const {
    ControlMessage m{ControlType::kPlan, {}};
    m.fields.Add("version", Version());
    m.fields.Add("active", active_ ? "1" : "0");
    for (const auto& [c, info] : stmgrs_) {
      m.fields.Add("stmgr", std::to_string(c) + " " + info.endpoint);
    }
    return m;
  }

  void SendPlan(const std::string& to) {
    transport::TrySendTo(socket_, to, transport::EncodeControl(PlanMessage()));
  }

  void Broadcast() {
    for (const auto& [c, info] : stmgrs_) SendPlan("stmgr-" + std::to_string(c));
  }

  void WritePhysicalPlan() {
    state::KeyValues kv;
    kv.Add("version", Version());
    for (const auto& [c, info] : stmgrs_) {
      kv.Add("stmgr", std::to_string(c) + " " + info.endpoint + " " + std::to_string(info.pid));
    }
    (void)sm_.WriteKv(options_.topology, "physical", kv);
    log_->info("physical plan {} pushed to {} stream managers", Version(), stmgrs_.size());
  }

  TmasterOptions options_;
  state::StateManager sm_;
  std::shared_ptr<const plan::TopologyPlan> plan_;
  std::shared_ptr<spdlog::logger> log_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string incarnation_;
  std::uint64_t version_ = 0;
  bool active_ = true;
  std::map<int, StmgrInfo> stmgrs_;
};

}  // namespace

Status RunTopologyMaster(const TmasterOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  state::StateManager sm(options.state_root);
  auto lock = sm.Lock(options.topology, "tmaster");
  if (!lock.ok()) {
    return Status(lock.status().code(), "another topology master of '" + options.topology +
                                            "' is live (" + lock.status().message() +
                                            "); refusing to start");
  }
  auto loaded = launch::LoadSubmittedTopology(sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  TopologyMaster master(options, loaded->plan);
  GALE_RETURN_IF_ERROR(master.Start());
  master.Run();
  return Status::Ok();
}

}  // namespace gale::tmaster
