#include "stmgr/stmgr.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <vector>

#include "common/clock.h"
#include "common/log.h"
#include "common/process.h"
#include "common/stop_signal.h"
#include "launch/role_log.h"
#include "launch/topology_source.h"
#include "launch/transport_keys.h"
#include "metrics/snapshot.h"
#include "records/state_records.h"
#include "state/state_manager.h"
#include "stmgr/backpressure_gauge.h"
#include "stmgr/heartbeat_worker.h"
#include "stmgr/instance_link.h"
#include "stmgr/master_client.h"
#include "stmgr/peer_mesh.h"
#include "stmgr/router.h"
#include "stmgr/spout_state.h"
#include "topology/defaults.h"
#include "records/control.h"
#include "transport/gatekeeper.h"
#include "transport/zmq_util.h"

namespace gale::stmgr {
namespace {

constexpr std::int64_t kTickNs = 100'000'000;
constexpr std::int64_t kHeartbeatNs = 1'000'000'000;
constexpr int kMaxReadsPerRound = 512;

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

std::vector<std::int32_t> SpoutsIn(const plan::TopologyPlan& plan, int container) {
  std::vector<std::int32_t> spouts;
  for (std::int32_t t : plan.TasksIn(container)) {
    if (plan.component_of(t).kind == ComponentKind::kSpout) spouts.push_back(t);
  }
  return spouts;
}

// The socket shell: polls the instance, peer and master sockets and hands
// everything to the socket-free core (Router, BackpressureGauge,
// SpoutStateOutbox), whose queues drain into the sockets through Outlet.
class StreamManager : private Outlet {
 public:
  // `sm` must outlive the stream manager.
  StreamManager(const StmgrOptions& options, std::shared_ptr<const plan::TopologyPlan> plan,
                state::StateManager& sm, const std::optional<records::CurveKeys>& keys,
                std::unique_ptr<transport::Gatekeeper> gatekeeper)
      : options_(options),
        curve_(keys.has_value()),
        sm_(sm),
        plan_(std::move(plan)),
        clock_(Clock::System()),
        gauge_(plan_->watermarks(), clock_),
        router_(plan_, options.container, clock_, &gauge_),
        spout_state_(SpoutsIn(*plan_, options.container)),
        gatekeeper_(std::move(gatekeeper)),
        instances_(plan_->TasksIn(options.container), plan_->max_task_id()),
        peers_(options.container, keys, plan_->workers()),
        master_(options.container, keys),
        heartbeat_(&sm_, options.topology, options.container),
        // Checked on the once-a-second heartbeat.
        rotation_(launch::RoleLogRotation(sm_, options.topology,
                                          "stmgr-" + std::to_string(options.container), *plan_,
                                          std::chrono::milliseconds(0))) {}

  Status Start() {
    // The local instances over a Unix socket in the private state
    // directory (no CURVE: only this user reaches the 0700 directory, and
    // the link checks the peer's user), the other stream managers over
    // TCP. Both bounded.
    const auto containers = static_cast<std::size_t>(plan_->workers());
    GALE_RETURN_IF_ERROR(gatekeeper_->Guard(
        peers_.data_in(), {"data", curve_, containers + transport::kConnectionSlack}));
    gatekeeper_->Start();
    GALE_RETURN_IF_ERROR(instances_.Bind(
        transport::StmgrLocalSocket(sm_.TopologyDir(options_.topology), options_.container)));
    GALE_RETURN_IF_ERROR(peers_.Bind(options_.network));
    if (topology::UnixPeersEnabled(plan_->topology_config())) {
      const std::string dir = sm_.TopologyDir(options_.topology);
      Status local = peers_.BindLocal(transport::StmgrPeerSocket(dir, options_.container), dir);
      if (!local.ok()) {
        Logger("stmgr")->warn("peers of this host will connect over TCP: {}", local.message());
      }
    }
    // Until the master's plan arrives, keep the recorded activation state.
    auto activation = sm_.ReadRecord<records::Activation>(options_.topology, "activation");
    active_ = !activation.ok() || activation->active;
    Logger("stmgr")->info("container {} stream manager: data endpoint {} (bound {} on host {}, "
                          "curve {})",
                          options_.container, peers_.endpoint(), peers_.bound_endpoint(),
                          host_, curve_ ? "on" : "off");
    return Status::Ok();
  }

  // Publishes this stream manager's registration (pid and data endpoint)
  // as the alive entry stmgr-<container> for as long as it runs. Without
  // it the stream manager still serves; the master learns of it by its
  // heartbeats either way.
  void PublishRegistration() {
    records::MasterLocation me{static_cast<std::int32_t>(getpid()), peers_.endpoint(), "",
                               state::SelfStartTime(), host_};
    auto entry = sm_.PublishAlive(options_.topology, "stmgr-" + std::to_string(options_.container),
                                  records::Encode(me));
    if (entry.ok()) {
      registration_ = std::move(entry).value();
    } else {
      Logger("stmgr")->warn("cannot publish the registration of container {}: {}",
                            options_.container, entry.status().message());
    }
  }

  void Run() {
    std::int64_t next_tick_ns = clock_->NowNs();
    std::int64_t next_heartbeat_ns = next_tick_ns;
    std::vector<zmq::pollitem_t> items;
    // Whether the peer and master sockets may hold input their event
    // descriptors will not signal (transport::EventDescriptor): at the
    // start, after a round that left some, and after a send to the master.
    bool peers_unread = true;
    bool master_unread = true;
    const int peers_fd = transport::EventDescriptor(peers_.data_in());
    // Once here; later the heartbeat worker reads where the master is.
    master_.ConnectTo(ReadMasterEndpoint(sm_, options_.topology));
    while (!g_stop->load()) {
      // Sleep until a message arrives, a full peer pipe takes more, or the
      // next tick: never a short timeout. Queues waiting for an instance's
      // credit wake with its kConsumed message. One poll(2) on descriptors:
      // zmq::poll would cost four more system calls a round.
      items.assign({
          {nullptr, peers_fd, ZMQ_POLLIN, 0},
          {nullptr, transport::EventDescriptor(master_.socket()), ZMQ_POLLIN, 0},
      });
      const std::size_t instance_items = items.size();
      instances_.AddPollItems(&items);
      const std::size_t local_peer_items = items.size();
      peers_.AddLocalPollItems(&items);
      bool ready = peers_unread || master_unread;
      for (int container : blocked_peers_) {
        if (peers_.WaitToSend(container, &items)) ready = true;
      }
      blocked_peers_.clear();
      std::int64_t wait_ns =
          ready ? 0 : std::max<std::int64_t>(next_tick_ns - clock_->NowNs(), 0);
      transport::PollDescriptors(items.data(), items.size(), std::chrono::nanoseconds(wait_ns));
      // Only the sockets poll found readable: on an empty socket a receive
      // still costs system calls.
      ReadInstances(&items[instance_items]);
      frames_.clear();
      peers_.ServiceLocal(&items[local_peer_items], &frames_);
      HandlePeerFrames();
      if (peers_unread || (items[0].revents & ZMQ_POLLIN)) peers_unread = ReadPeers();
      if (master_unread || (items[1].revents & ZMQ_POLLIN)) {
        while (auto plan = master_.ReceivePlan()) ApplyPlan(*plan);
        master_unread = false;
      }
      FlushSpoutState();
      router_.Flush(*this);
      // Lift backpressure as soon as the queues drained.
      if (gauge_.on() && router_.UpdateBackpressure()) BackpressureChanged();
      std::int64_t now = clock_->NowNs();
      if (now >= next_tick_ns) {
        if (router_.Tick()) BackpressureChanged();
        instances_.Expire(now);
        peers_.Tick(now);
        if (SendHeartbeatOutput()) master_unread = true;
        if (now >= next_heartbeat_ns) {
          master_.Register(peers_.endpoint());
          PostSpoutState();
          PostHeartbeat();
          master_unread = true;
          rotation_.MaybeRotate();
          // Until a master's plan arrives, every tick: a stream manager
          // that started before the master published where it is would
          // otherwise hold its spouts a whole heartbeat longer.
          next_heartbeat_ns = now + (master_.plan_version().empty() ? kTickNs : kHeartbeatNs);
        }
        next_tick_ns = now + kTickNs;
      }
    }
    Logger("stmgr")->info("container {} stream manager stopping", options_.container);
  }

 private:
  // Outlet: where the router's queues drain.
  bool SendToTask(std::int32_t task, const std::vector<std::string_view>& batches) override {
    return instances_.SendBatches(task, batches);
  }
  bool SendToPeer(int container, const std::vector<std::string_view>& batches) override {
    if (peers_.Send(container, batches)) return true;
    blocked_peers_.insert(container);
    return false;
  }

  // A queue passing its high watermark turns backpressure on at once; tell
  // the peers and the local spouts right away.
  void Route(std::string batch) {
    bool was_on = gauge_.on();
    router_.Route(std::move(batch));
    if (gauge_.on() != was_on) BackpressureChanged();
  }

  // Batches to route and reports (hello, consumed, metrics) from the
  // instances whose connections the poll found ready.
  void ReadInstances(const zmq::pollitem_t* items) {
    input_.clear();
    instances_.Service(items, &input_);
    for (auto& item : input_) {
      if (auto* batch = std::get_if<std::string>(&item)) {
        Route(std::move(*batch));
        continue;
      }
      auto& report = std::get<InstanceReport>(item);
      if (report.kind == InstanceReport::Kind::kMetrics) {
        task_metrics_[report.task] = std::move(report.metrics);
      } else if (report.kind == InstanceReport::Kind::kHello) {
        router_.InstanceHello(report.task);  // a (re)started instance holds nothing
        PostSpoutState();
      } else {
        router_.Consumed(report.task, report.batches);
      }
    }
  }

  // True when it stopped at kMaxReadsPerRound: more may wait.
  bool ReadPeers() {
    for (int i = 0; i < kMaxReadsPerRound; ++i) {
      frames_.clear();
      if (!transport::TryRecvFrames(peers_.data_in(), &frames_)) return false;
      HandlePeerFrames();
    }
    return true;
  }

  // What peers sent (frames_): batches to route and announcements.
  void HandlePeerFrames() {
    for (std::string& frame : frames_) {
      if (records::IsControl(frame)) {
        peers_.HandleControl(frame);
        PostSpoutState();
      } else {
        Route(std::move(frame));
      }
    }
  }

  void ApplyPlan(const PlanUpdate& plan) {
    active_ = plan.active;
    for (const auto& [container, endpoint] : plan.stmgrs) {
      if (container == options_.container) continue;
      // Tell a (new) peer whether this container holds backpressure.
      if (peers_.Connect(container, endpoint)) {
        peers_.Announce(container, gauge_.on(), CulpritName(*plan_, gauge_.last_culprit()));
      }
    }
    PostSpoutState();
  }

  void BackpressureChanged() {
    peers_.AnnounceAll(gauge_.on(), CulpritName(*plan_, gauge_.last_culprit()));
    PostSpoutState();
  }

  void PostSpoutState() {
    spout_state_.Post(active_, gauge_.on() || peers_.remote_backpressure());
    FlushSpoutState();
  }

  void FlushSpoutState() {
    spout_state_.Flush([this](std::int32_t task, SpoutCommand command) {
      return instances_.SendCommand(task, command);
    });
  }

  // The heartbeat's counters and task snapshots, for the worker to measure,
  // encode and write.
  void PostHeartbeat() {
    const RouterCounters& c = router_.counters();
    HeartbeatInput in;
    metrics::StmgrSnapshot& s = in.stmgr;
    s.container = options_.container;
    s.pid = static_cast<int>(getpid());
    s.endpoint = peers_.endpoint();
    s.host = host_;
    s.queued_bytes = router_.queued_bytes();
    s.routed_batches = c.routed;
    s.dropped_batches = c.stale;
    s.malformed_batches = c.malformed;
    s.backpressure = gauge_.on();
    s.backpressure_culprit = CulpritName(*plan_, gauge_.culprit());
    s.backpressure_episodes = gauge_.episodes();
    s.last_backpressure_culprit = CulpritName(*plan_, gauge_.last_culprit());
    s.backpressure_ns = static_cast<std::uint64_t>(gauge_.on_ns());
    s.remote_backpressure = peers_.RemoteCulprits();
    s.plan_version = master_.plan_version();
    s.malformed_metrics = instances_.malformed_metrics();
    in.tasks.reserve(task_metrics_.size());
    for (const auto& [task, snapshot] : task_metrics_) {
      in.tasks.push_back(snapshot);
      // What waits for the task: queued here, and sent within its credit
      // window but not yet taken by its executor.
      const DeliveryQueue* q = router_.task_queue(task);
      in.tasks.back().queue_depth =
          q == nullptr ? 0 : static_cast<std::int64_t>(q->tuples() + q->in_flight_tuples());
    }
    heartbeat_.Post(std::move(in));
  }

  // What the worker made of the last heartbeat: a master at a new endpoint
  // is connected to and registered with at once, then the metrics go to it.
  // True if something was sent.
  bool SendHeartbeatOutput() {
    auto out = heartbeat_.Take();
    if (!out) return false;
    if (master_.ConnectTo(out->master_endpoint)) master_.Register(peers_.endpoint());
    master_.SendReports(out->reports);
    return true;
  }

  StmgrOptions options_;
  bool curve_;
  const std::string host_ = HostName();  // recorded in its registration and metrics
  state::StateManager& sm_;
  std::unique_ptr<state::AliveEntry> registration_;
  std::shared_ptr<const plan::TopologyPlan> plan_;
  const Clock* clock_;
  // The socket-free core.
  BackpressureGauge gauge_;
  Router router_;
  SpoutStateOutbox spout_state_;
  bool active_ = true;
  std::set<int> blocked_peers_;     // containers whose pipe was full at the last flush
  InstanceInput input_;              // reused by ReadInstances
  std::vector<std::string> frames_;  // reused by ReadPeers
  std::map<std::int32_t, metrics::TaskSnapshot> task_metrics_;  // latest snapshot by local task
  // The sockets, after the gatekeeper that guards the server ones (and
  // must outlive them).
  std::unique_ptr<transport::Gatekeeper> gatekeeper_;
  InstanceLink instances_;
  PeerMesh peers_;
  MasterClient master_;
  HeartbeatWorker heartbeat_;
  LogRotation rotation_;
};

}  // namespace

Status RunStreamManager(const StmgrOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  auto sm = state::OpenStateManager(options.state);
  if (!sm.ok()) return sm.status();
  auto loaded = launch::LoadSubmittedTopology(**sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  auto keys = launch::LoadTransportKeys(**sm, options.topology, *loaded->plan);
  if (!keys.ok()) return keys.status();
  auto gatekeeper = transport::Gatekeeper::Create(*keys, "stmgr");
  if (!gatekeeper.ok()) return gatekeeper.status();
  StreamManager stmgr(options, loaded->plan, **sm, *keys, std::move(gatekeeper).value());
  GALE_RETURN_IF_ERROR(stmgr.Start());
  stmgr.PublishRegistration();
  stmgr.Run();
  return Status::Ok();
}

}  // namespace gale::stmgr
