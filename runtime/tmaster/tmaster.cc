#include "tmaster/tmaster.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <deque>
#include <future>
#include <map>
#include <random>

#include "common/clock.h"
#include "common/log.h"
#include "common/process.h"
#include "common/stop_signal.h"
#include "launch/role_log.h"
#include "launch/topology_source.h"
#include "launch/transport_keys.h"
#include "metrics/report.h"
#include "records/control.h"
#include "records/key_values.h"
#include "records/refused.h"
#include "records/state_records.h"
#include "state/record_writer.h"
#include "state/state_manager.h"
#include "tmaster/http_server.h"
#include "tmaster/metrics_store.h"
#include "topology/defaults.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"

namespace gale::tmaster {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::chrono::milliseconds kIdleWake{1000};

// An eventfd another thread signals to wake the master's poll.
class WakeFd {
 public:
  WakeFd() : fd_(eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {}
  ~WakeFd() {
    if (fd_ >= 0) close(fd_);
  }
  WakeFd(const WakeFd&) = delete;
  WakeFd& operator=(const WakeFd&) = delete;
  // -1 when no eventfd could be made: the loop then sees commands within
  // kIdleWake.
  int fd() const { return fd_; }
  void Signal() {
    std::uint64_t one = 1;
    if (fd_ >= 0) (void)!write(fd_, &one, sizeof one);
  }
  void Clear() {
    std::uint64_t n = 0;
    if (fd_ >= 0) (void)!read(fd_, &n, sizeof n);
  }

 private:
  int fd_;
};

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

struct StmgrInfo {
  std::string endpoint;
  int pid = 0;
  Clock::time_point last_seen;
};

class TopologyMaster {
 public:
  // `sm` and `lock` must outlive the master.
  TopologyMaster(const TmasterOptions& options, std::shared_ptr<const plan::TopologyPlan> plan,
                 state::StateManager& sm, const state::StateLock& lock,
                 std::unique_ptr<transport::Gatekeeper> gatekeeper, bool curve)
      : options_(options),
        gatekeeper_(std::move(gatekeeper)),
        curve_(curve),
        sm_(sm),
        lock_(lock),
        plan_(std::move(plan)),
        log_(Logger("tmaster")),
        writer_(&sm_, options.topology, "tmaster"),
        rotation_(launch::RoleLogRotation(sm_, options.topology, "tmaster", *plan_)),
        socket_(transport::MakeSocket(zmq::socket_type::router, 1000)),
        store_(options.topology, plan_, HostName()) {
    std::random_device rd;
    incarnation_ = std::to_string(rd()) + std::to_string(rd());
  }

  Status Start() {
    // Stream managers (one per container) and the CLI; nobody else.
    GALE_RETURN_IF_ERROR(gatekeeper_->Guard(
        socket_, {"tmaster", curve_,
                  static_cast<std::size_t>(plan_->workers()) + transport::kConnectionSlack}));
    gatekeeper_->Start();
    const std::string bind = options_.network.BindEndpoint();
    try {
      socket_.bind(bind);
    } catch (const zmq::error_t& e) {
      return IoError("cannot bind " + bind + ": " + e.what());
    }
    endpoint_ = options_.network.Advertised(transport::LastEndpoint(socket_));
    store_.SetMasterEndpoint(endpoint_);
    auto activation = sm_.ReadRecord<records::Activation>(options_.topology, "activation");
    if (!activation.ok() && activation.status().code() != ErrorCode::kNotFound) {
      records::Refuse("tmaster", "activation record", activation.status());
    }
    active_ = !activation.ok() || activation->active;
    store_.SetActive(active_);
    StartHttp();
    const records::PackingPlan packing = launch::PackingOf(*plan_);
    // A record that cannot be written now (a full disk) is logged and
    // written again from Run until it succeeds; the master keeps running.
    (void)writer_.WriteRecord("packing", packing);
    records::MasterLocation me{static_cast<std::int32_t>(getpid()), endpoint_, http_.url(),
                               state::SelfStartTime(), HostName()};
    auto location = sm_.PublishAlive(options_.topology, "tmaster", records::Encode(me));
    if (!location.ok()) return location.status();
    location_ = std::move(location).value();
    log_->info("topology master of '{}' at {} (bound {} on host {}, {} containers, {} tasks, "
               "curve {}), HTTP at {}",
               options_.topology, endpoint_, transport::LastEndpoint(socket_), HostName(),
               plan_->workers(), plan_->max_task_id(), curve_ ? "on" : "off",
               http_.url().empty() ? "none" : http_.url());
    return Status::Ok();
  }

  Status Run() {
    while (!g_stop->load()) {
      if (!lock_.Held()) {
        return Status(ErrorCode::kAlreadyExists,
                      "lost the master lock of '" + options_.topology +
                          "' to another topology master; stopping");
      }
      // Asleep until a message, an HTTP command or a signal; at least once
      // a second for the lock, the retried records and the log rotation.
      zmq::pollitem_t items[] = {{static_cast<void*>(socket_), 0, ZMQ_POLLIN, 0},
                                 {nullptr, http_wake_.fd(), ZMQ_POLLIN, 0}};
      transport::Poll(items, 2, kIdleWake);
      while (auto m = transport::TryRecvRouted(socket_)) Handle(m->first, m->second);
      if (items[1].revents & ZMQ_POLLIN) http_wake_.Clear();
      RunHttpCommands();
      writer_.Retry();
      rotation_.MaybeRotate();
    }
    return Status::Ok();
  }

 private:
  std::string Version() const { return incarnation_ + "." + std::to_string(version_); }

  // Without HTTP (its port taken, say) the topology still runs: the error
  // is logged and `gale status` shows no URL.
  void StartHttp() {
    const Config& config = plan_->topology_config();
    HttpOptions o;
    o.bind_address =
        config.GetString(topology::kHttpBindAddressKey, topology::kDefaultHttpBindAddress);
    o.port = static_cast<int>(config.GetInt(topology::kHttpPortKey, topology::kDefaultHttpPort));
    auto token = sm_.ReadRecord<records::HttpToken>(options_.topology, "http_token");
    if (token.ok()) {
      o.token = token->token;
    } else {
      log_->warn("no usable HTTP token ({}); HTTP activate and deactivate are refused",
                 token.status().message());
    }
    o.view = [this] { return store_.View(clock_->NowNs()); };
    o.command = [this](const std::string& command) { return QueueHttpCommand(command); };
    Status s = http_.Start(std::move(o));
    if (!s.ok()) {
      log_->error("topology master of '{}' serves no HTTP: {}", options_.topology, s.message());
    }
  }

  // An HTTP thread: hands the command to the master's loop and waits for
  // its answer, so that HTTP and `gale activate` take the same path.
  records::Reply QueueHttpCommand(const std::string& command) {
    std::future<records::Reply> answer;
    {
      std::lock_guard<std::mutex> lock(http_mu_);
      http_commands_.emplace_back(command, std::promise<records::Reply>());
      answer = http_commands_.back().second.get_future();
    }
    http_wake_.Signal();
    if (answer.wait_for(std::chrono::seconds(10)) != std::future_status::ready) {
      return records::Reply{false, "the topology master did not answer within 10 s", {}, {}};
    }
    return answer.get();
  }

  void RunHttpCommands() {
    std::deque<std::pair<std::string, std::promise<records::Reply>>> commands;
    {
      std::lock_guard<std::mutex> lock(http_mu_);
      commands.swap(http_commands_);
    }
    for (auto& [command, promise] : commands) promise.set_value(ApplyCommand(command));
  }

  void Handle(const std::string& from, const std::string& bytes) {
    if (records::TypeByte(bytes) ==
        static_cast<std::uint8_t>(records::ControlType::kMetricsReport)) {
      HandleMetrics(from, bytes);
      return;
    }
    auto m = records::DecodeControl(bytes);
    if (!m.ok()) {
      records::Refuse("tmaster", "control message from " + from, m.status());
      return;
    }
    if (auto* reg = std::get_if<records::Register>(&*m)) {
      HandleRegister(from, *reg);
    } else if (auto* req = std::get_if<records::Request>(&*m)) {
      HandleRequest(from, *req);
    } else {
      records::Refuse("tmaster", "control message from " + from,
                      ProtocolError("unexpected type " +
                                    std::to_string(static_cast<int>(records::TypeOf(*m)))));
    }
  }

  void HandleRegister(const std::string& from, const records::Register& reg) {
    if (reg.container >= plan_->workers()) {
      records::Refuse("tmaster", "registration from " + from,
                      ProtocolError("container " + std::to_string(reg.container) +
                                    " outside 0.." + std::to_string(plan_->workers() - 1)));
      return;
    }
    StmgrInfo& info = stmgrs_[reg.container];
    bool changed = info.endpoint != reg.endpoint;
    info.endpoint = reg.endpoint;
    info.pid = reg.pid;
    info.last_seen = Clock::now();
    if (changed) {
      ++version_;
      log_->info("stream manager of container {} registered at {}", reg.container, reg.endpoint);
      if (Complete()) {
        WritePhysicalPlan();
        Broadcast();
      }
    } else if (Complete() && reg.plan_version != Version()) {
      SendPlan(from);
    }
  }

  // A stream manager's metrics; a malformed report is logged (rate
  // limited), counted and dropped.
  void HandleMetrics(const std::string& from, const std::string& bytes) {
    auto report = metrics::DecodeReport(bytes);
    int container = -1;
    if (report.ok()) {
      container = from.compare(0, 6, "stmgr-") == 0 ? std::atoi(from.c_str() + 6) : -1;
      if (container < 0 || container >= plan_->workers() ||
          from != "stmgr-" + std::to_string(container)) {
        report = ProtocolError("metrics from '" + from.substr(0, 32) +
                               "', which is no stream manager of this topology");
      }
    }
    if (!report.ok()) {
      store_.CountMalformed();
      records::Refuse("tmaster", "metrics report from " + from.substr(0, 32), report.status());
      return;
    }
    store_.Add(container, *report, clock_->NowNs());
  }

  void HandleRequest(const std::string& from, const records::Request& req) {
    transport::TrySendTo(socket_, from, records::Encode(ApplyCommand(req.command)));
  }

  records::Reply ApplyCommand(const std::string& command) {
    records::Request req{command};
    records::Reply reply;
    if (req.command == "activate" || req.command == "deactivate") {
      // Recorded first: a change that could not be recorded would be undone
      // by the next restart, so it is not made at all and the command
      // reports why.
      const bool active = req.command == "activate";
      Status recorded =
          sm_.WriteRecord(options_.topology, "activation", records::Activation{active});
      if (!recorded.ok()) {
        reply.ok = false;
        reply.message = "topology '" + options_.topology + "' was not " +
                        (active ? "activated" : "deactivated") + ": " + recorded.message() +
                        "; it stays " + (active_ ? "active" : "inactive");
        log_->error("{}", reply.message);
      } else {
        active_ = active;
        store_.SetActive(active_);
        ++version_;
        if (Complete()) Broadcast();
        reply.ok = true;
        reply.message = "topology '" + options_.topology + "' " +
                        (active_ ? "activated" : "deactivated");
        log_->info("{}", reply.message);
      }
    } else if (req.command == "metrics") {
      // What `gale status` and `gale wait` read on a host that does not
      // hold the tasks' metrics files (the topology runs on other hosts).
      reply = MetricsReply();
    } else {
      reply.ok = false;
      reply.message = "unknown command '" + req.command + "'";
    }
    return reply;
  }

  // The latest snapshot of every task and stream manager that reported in
  // the last kFreshReport: one that stopped reporting is gone, as a
  // metrics file of a dead process is not read as live.
  records::Reply MetricsReply() const {
    static constexpr std::int64_t kFreshReportMs = 10000;
    records::Reply reply;
    const TopologyView view = store_.View(clock_->NowNs());
    std::size_t bytes = 0;
    for (const auto& [task, t] : view.tasks) {
      if (t.age_ms > kFreshReportMs) continue;
      reply.tasks.push_back(records::FlattenSnapshot(metrics::Encode(t.snapshot)));
      bytes += reply.tasks.back().size();
    }
    for (const auto& [container, m] : view.stmgrs) {
      if (m.age_ms > kFreshReportMs) continue;
      reply.stmgrs.push_back(records::FlattenSnapshot(metrics::Encode(m.snapshot)));
      bytes += reply.stmgrs.back().size();
    }
    if (bytes + 4096 > records::kMaxRecordBytes) {
      return {false, "the metrics of " + std::to_string(view.tasks.size()) +
                         " tasks do not fit one reply; read them from /metrics or /api/v1",
              {},
              {}};
    }
    reply.ok = true;
    reply.message = std::to_string(reply.tasks.size()) + " tasks";
    return reply;
  }

  bool Complete() const { return static_cast<int>(stmgrs_.size()) == plan_->workers(); }

  records::Plan PlanMessage() const {
    records::Plan m;
    m.version = Version();
    m.active = active_;
    for (const auto& [c, info] : stmgrs_) m.entries.push_back({c, info.endpoint});
    return m;
  }

  void SendPlan(const std::string& to) {
    transport::TrySendTo(socket_, to, records::Encode(PlanMessage()));
  }

  void Broadcast() {
    for (const auto& [c, info] : stmgrs_) SendPlan("stmgr-" + std::to_string(c));
  }

  void WritePhysicalPlan() {
    records::PhysicalPlan physical;
    physical.version = Version();
    for (const auto& [c, info] : stmgrs_) physical.stmgrs.push_back({c, info.endpoint, info.pid});
    // Pushed to the stream managers whether or not it could be recorded;
    // an unrecorded plan is written again by Retry.
    (void)writer_.WriteRecord("physical", physical);
    log_->info("physical plan {} pushed to {} stream managers", Version(), stmgrs_.size());
  }

  TmasterOptions options_;
  // Before socket_: it guards the socket and must outlive it.
  std::unique_ptr<transport::Gatekeeper> gatekeeper_;
  bool curve_;
  state::StateManager& sm_;
  const state::StateLock& lock_;
  std::unique_ptr<state::AliveEntry> location_;  // alive/tmaster while running
  std::shared_ptr<const plan::TopologyPlan> plan_;
  std::shared_ptr<spdlog::logger> log_;
  state::RecordWriter writer_;
  LogRotation rotation_;
  zmq::socket_t socket_;
  std::string endpoint_;
  std::string incarnation_;
  std::uint64_t version_ = 0;
  bool active_ = true;
  std::map<std::int32_t, StmgrInfo> stmgrs_;
  const gale::Clock* clock_ = gale::Clock::System();
  MetricsStore store_;
  std::mutex http_mu_;
  WakeFd http_wake_;  // signalled by an HTTP thread that queued a command
  std::deque<std::pair<std::string, std::promise<records::Reply>>> http_commands_;
  // Last: stopped (its threads joined) before what its handlers use goes.
  HttpServer http_;
};

}  // namespace

Status RunTopologyMaster(const TmasterOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  auto sm_owner = state::OpenStateManager(options.state);
  if (!sm_owner.ok()) return sm_owner.status();
  auto& sm = *sm_owner;
  // With ZooKeeper, a master killed a moment ago holds the lock until its
  // session times out: wait for that (on a watch) rather than fail.
  const auto wait = std::chrono::milliseconds(
      options.state.zookeeper ? options.state.zookeeper->session_timeout_ms + 2000 : 0);
  auto lock = sm->LockWithin(options.topology, "tmaster", wait);
  if (!lock.ok()) {
    return Status(lock.status().code(), "another topology master of '" + options.topology +
                                            "' is live (" + lock.status().message() +
                                            "); refusing to start");
  }
  auto loaded = launch::LoadSubmittedTopology(*sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  auto keys = launch::LoadTransportKeys(*sm, options.topology, *loaded->plan);
  if (!keys.ok()) return keys.status();
  bool curve = keys->has_value();
  auto gatekeeper = transport::Gatekeeper::Create(std::move(keys).value(), "tmaster");
  if (!gatekeeper.ok()) return gatekeeper.status();
  TopologyMaster master(options, loaded->plan, *sm, **lock, std::move(gatekeeper).value(),
                        curve);
  GALE_RETURN_IF_ERROR(master.Start());
  return master.Run();
}

}  // namespace gale::tmaster
