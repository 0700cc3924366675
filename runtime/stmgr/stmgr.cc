#include "stmgr/stmgr.h"

#include <signal.h>
#include <unistd.h>

#include <deque>
#include <map>
#include <set>

#include "common/log.h"
#include "common/stop_signal.h"
#include "common/process.h"
#include "launch/topology_source.h"
#include "metrics/snapshot.h"
#include "state/state_manager.h"
#include "transport/control.h"
#include "transport/zmq_util.h"
#include "wire/codec.h"

namespace gale::stmgr {
namespace {

using Clock = std::chrono::steady_clock;
using transport::ControlMessage;
using transport::ControlType;

const std::atomic<bool>* g_stop = nullptr;  // set by InstallStopSignalHandlers

// Batches waiting for one destination (an instance or a peer).
struct Queue {
  struct Item {
    std::string batch;
    std::size_t tuples;
  };
  std::deque<Item> items;
  std::size_t bytes = 0;
  std::size_t tuples = 0;
  Clock::time_point last_progress = Clock::now();

  void Push(std::string b, std::size_t n) {
    bytes += b.size();
    tuples += n;
    items.push_back({std::move(b), n});
  }
};

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch())
      .count();
}

class StreamManager {
 public:
  StreamManager(const StmgrOptions& options, std::shared_ptr<const plan::TopologyPlan> plan)
      : options_(options),
        sm_owner_(state::MakeStateManager(options.state_root)),
        sm_(*sm_owner_),
        plan_(std::move(plan)),
        log_(Logger("stmgr")),
        // Small pipes: what cannot be sent waits in this process's queues,
        // where backpressure can see it.
        local_(transport::MakeSocket(zmq::socket_type::router, 2)),
        data_in_(transport::MakeSocket(zmq::socket_type::pull, 16)),
        tmaster_(transport::MakeSocket(zmq::socket_type::dealer, 1000)) {
    for (std::int32_t t : plan_->TasksIn(options_.container)) {
      local_tasks_.insert(t);
      if (plan_->component_of(t).kind == ComponentKind::kSpout) local_spouts_.push_back(t);
    }
  }

  Status Start() {
    std::string local = transport::StmgrLocalEndpoint(sm_.TopologyDir(options_.topology),
                                                     options_.container);
    try {
      local_.bind(local);
      data_in_.bind("tcp://127.0.0.1:*");
    } catch (const zmq::error_t& e) {
      return IoError("cannot bind " + local + ": " + e.what());
    }
    endpoint_ = transport::LastEndpoint(data_in_);
    tmaster_.set(zmq::sockopt::routing_id, "stmgr-" + std::to_string(options_.container));
    // Until the master's plan arrives, keep the recorded activation state.
    auto activation = sm_.ReadRecord<records::Activation>(options_.topology, "activation");
    active_ = !activation.ok() || activation->active;
    log_->info("container {} stream manager: data endpoint {}", options_.container, endpoint_);
    return Status::Ok();
  }

  void Run() {
    auto next_tick = Clock::now();
    while (!g_stop->load()) {
      zmq::pollitem_t items[] = {
          {static_cast<void*>(local_), 0, ZMQ_POLLIN, 0},
          {static_cast<void*>(data_in_), 0, ZMQ_POLLIN, 0},
          {static_cast<void*>(tmaster_), 0, ZMQ_POLLIN, 0},
      };
      bool backlog = queued_total_ > 0;
      transport::Poll(items, 3, std::chrono::milliseconds(backlog ? 1 : 20));
      for (int i = 0; i < 512; ++i) {
        auto m = transport::TryRecvRouted(local_);
        if (!m) break;
        if (transport::IsControl(m->second)) {
          HandleInstanceControl(m->first, m->second);
        } else {
          Route(std::move(m->second));
        }
      }
      for (int i = 0; i < 512; ++i) {
        auto m = transport::TryRecv(data_in_);
        if (!m) break;
        if (transport::IsControl(*m)) {
          HandlePeerControl(*m);
        } else {
          Route(std::move(*m));
        }
      }
      while (auto m = transport::TryRecv(tmaster_)) HandleTmaster(*m);
      FlushQueues();
      if (self_bp_) UpdateBackpressure();  // lift it as soon as the queues drained
      auto now = Clock::now();
      if (now >= next_tick) {
        Tick();
        next_tick = now + std::chrono::milliseconds(100);
      }
    }
    log_->info("container {} stream manager stopping", options_.container);
  }

 private:
  void Route(std::string batch) {
    wire::BatchKind kind;
    std::int32_t dest;
    std::uint32_t count = 0;
    Status s = wire::PeekBatchHeader(batch, &kind, &dest, &count);
    if (!s.ok() || dest < 1 || dest > plan_->max_task_id()) {
      ++malformed_;
      if (malformed_ <= 10) {
        log_->warn("dropped malformed batch ({}); its tuples will be replayed",
                   s.ok() ? "unknown task " + std::to_string(dest) : s.message());
      }
      return;
    }
    ++routed_;
    queued_total_ += batch.size();
    std::size_t tuples = kind == wire::BatchKind::kData ? count : 0;
    int container = plan_->container_of(dest);
    Queue& q = container == options_.container ? task_queues_[dest] : peer_queues_[container];
    q.Push(std::move(batch), tuples);
    // Start backpressure the moment a queue passes its high watermark: a
    // fast spout emits many tuples in the time a periodic check would take.
    if (!self_bp_ && plan_->watermarks().Above(q.bytes, q.tuples)) UpdateBackpressure();
  }

  void HandleInstanceControl(const std::string& from, const std::string& bytes) {
    auto m = transport::DecodeControl(bytes);
    if (!m.ok() || from.rfind("task-", 0) != 0) return;
    std::int32_t task = std::atoi(from.c_str() + 5);
    InFlight& f = in_flight_[task];
    if (m->type == ControlType::kRegister) {
      f = InFlight{};  // a (re)started instance holds nothing
      SendSpoutState();
    } else if (m->type == ControlType::kConsumed) {
      std::size_t done = std::strtoull(m->fields.GetOr("batches", "0").c_str(), nullptr, 10);
      task_queues_[task].last_progress = Clock::now();  // slow, but alive
      for (; done > 0 && !f.batches.empty(); --done) {
        f.tuples -= f.batches.front();
        f.batches.pop_front();
      }
    }
  }

  void FlushQueues() {
    FlushSpoutState();
    for (auto& [task, q] : task_queues_) {
      std::string id = "task-" + std::to_string(task);
      InFlight& f = in_flight_[task];
      while (!q.items.empty() && f.batches.size() < kWindowBatches &&
             f.tuples < kWindowTuples &&
             transport::TrySendTo(local_, id, q.items.front().batch)) {
        f.batches.push_back(q.items.front().tuples);
        f.tuples += q.items.front().tuples;
        Pop(q);
      }
    }
    for (auto& [container, q] : peer_queues_) {
      auto it = peers_.find(container);
      if (it == peers_.end()) continue;
      while (!q.items.empty() && transport::TrySend(it->second.socket, q.items.front().batch)) {
        Pop(q);
      }
    }
  }

  void Pop(Queue& q) {
    q.bytes -= q.items.front().batch.size();
    q.tuples -= q.items.front().tuples;
    queued_total_ -= q.items.front().batch.size();
    q.items.pop_front();
    q.last_progress = Clock::now();
  }

  // Drops what waits for a destination that took nothing for a long time
  // (a dead instance or peer); acking replays those tuples.
  void DropStale(Queue& q, const std::string& what) {
    if (q.items.empty() || Clock::now() - q.last_progress < kStaleAfter) return;
    log_->warn("dropping {} batches ({} bytes) for {}, which accepted nothing for {} s",
               q.items.size(), q.bytes, what,
               std::chrono::duration_cast<std::chrono::seconds>(kStaleAfter).count());
    dropped_batches_ += q.items.size();
    queued_total_ -= q.bytes;
    q.items.clear();
    q.bytes = 0;
    q.tuples = 0;
    q.last_progress = Clock::now();
  }

  void Tick() {
    for (auto& [task, q] : task_queues_) DropStale(q, "task " + std::to_string(task));
    for (auto& [c, q] : peer_queues_) DropStale(q, "container " + std::to_string(c));
    UpdateBackpressure();
    auto now = Clock::now();
    if (now - last_heartbeat_ >= std::chrono::seconds(1)) {
      last_heartbeat_ = now;
      ConnectTmaster();
      ControlMessage reg{ControlType::kRegister, {}};
      reg.fields.Add("container", std::to_string(options_.container));
      reg.fields.Add("endpoint", endpoint_);
      reg.fields.Add("pid", std::to_string(getpid()));
      reg.fields.Add("plan_version", plan_version_);
      transport::TrySend(tmaster_, transport::EncodeControl(reg));
      SendSpoutState();
      WriteMetrics();
    }
  }

  void ConnectTmaster() {
    auto tm = sm_.ReadRecord<records::MasterLocation>(options_.topology, "tmaster");
    if (!tm.ok()) return;
    std::string ep = tm->endpoint;
    if (ep.empty() || ep == tmaster_endpoint_) return;
    if (!tmaster_endpoint_.empty()) {
      try {
        tmaster_.disconnect(tmaster_endpoint_);
      } catch (const zmq::error_t&) {
      }
    }
    tmaster_.connect(ep);
    tmaster_endpoint_ = ep;
    plan_version_.clear();
    log_->info("connected to topology master at {}", ep);
  }

  void HandleTmaster(const std::string& bytes) {
    auto m = transport::DecodeControl(bytes);
    if (!m.ok()) return;
    if (m->type != ControlType::kPlan) return;
    plan_version_ = m->fields.GetOr("version", "");
    active_ = m->fields.GetOr("active", "1") == "1";
    for (const std::string& entry : m->fields.GetAll("stmgr")) {
      // "<container> <endpoint>"
      auto space = entry.find(' ');
      if (space == std::string::npos) continue;
      int container = std::stoi(entry.substr(0, space));
      std::string ep = entry.substr(space + 1);
      if (container == options_.container) continue;
      auto it = peers_.find(container);
      if (it != peers_.end() && it->second.endpoint == ep) continue;
      Peer p{transport::MakeSocket(zmq::socket_type::push, 64), ep};
      p.socket.connect(ep);
      peers_.erase(container);
      peers_.emplace(container, std::move(p));
      log_->info("peer container {} at {}", container, ep);
      // Tell the (new) peer whether this container holds backpressure.
      AnnounceBackpressure(container);
    }
    SendSpoutState();
  }

  void HandlePeerControl(const std::string& bytes) {
    auto m = transport::DecodeControl(bytes);
    if (!m.ok()) return;
    int container = std::stoi(m->fields.GetOr("container", "-1"));
    if (m->type == ControlType::kBackpressureOn) {
      remote_bp_[container] = m->fields.GetOr("culprit", "?");
    } else if (m->type == ControlType::kBackpressureOff) {
      remote_bp_.erase(container);
    }
    SendSpoutState();
  }

  void UpdateBackpressure() {
    const plan::Watermarks& w = plan_->watermarks();
    std::string culprit;
    const Queue* over = nullptr;
    bool all_below = true;
    for (auto& [task, q] : task_queues_) {
      all_below = all_below && w.Below(q.bytes, q.tuples);
      if (over == nullptr && w.Above(q.bytes, q.tuples)) {
        over = &q;
        culprit = plan_->component_of(task).id + ":" + std::to_string(task);
      }
    }
    for (auto& [c, q] : peer_queues_) {
      all_below = all_below && w.Below(q.bytes, q.tuples);
      if (over == nullptr && w.Above(q.bytes, q.tuples)) {
        over = &q;
        culprit = "stmgr:" + std::to_string(c);
      }
    }
    bool was = self_bp_;
    if (!self_bp_ && over != nullptr) {
      self_bp_ = true;
      culprit_ = culprit;
      ++bp_episodes_;
      bp_since_ns_ = NowNs();
      log_->info("backpressure on: {} has {} tuples ({} bytes) queued", culprit, over->tuples,
                 over->bytes);
    } else if (self_bp_ && all_below) {
      self_bp_ = false;
      bp_total_ns_ += NowNs() - bp_since_ns_;
      log_->info("backpressure off");
    }
    if (was != self_bp_) {
      for (auto& [c, p] : peers_) AnnounceBackpressure(c);
      SendSpoutState();
    }
  }

  void AnnounceBackpressure(int container) {
    auto it = peers_.find(container);
    if (it == peers_.end()) return;
    ControlMessage m{self_bp_ ? ControlType::kBackpressureOn : ControlType::kBackpressureOff, {}};
    m.fields.Add("container", std::to_string(options_.container));
    m.fields.Add("culprit", culprit_);
    transport::TrySend(it->second.socket, transport::EncodeControl(m));
  }

  void SendSpoutState() {
    bool throttle = self_bp_ || !remote_bp_.empty();
    std::string activity = transport::EncodeControl(
        {active_ ? ControlType::kActivate : ControlType::kDeactivate, {}});
    std::string bp = transport::EncodeControl(
        {throttle ? ControlType::kThrottleOn : ControlType::kThrottleOff, {}});
    // Only the latest state matters; it waits here (never dropped) when the
    // instance's pipe is full, and goes out before any data.
    for (std::int32_t t : local_spouts_) spout_state_out_[t] = {activity, bp};
    FlushSpoutState();
  }

  void FlushSpoutState() {
    for (auto& [task, pending] : spout_state_out_) {
      std::string id = "task-" + std::to_string(task);
      while (!pending.empty() && transport::TrySendTo(local_, id, pending.front())) {
        pending.erase(pending.begin());
      }
    }
  }

  void WriteMetrics() {
    metrics::StmgrSnapshot s;
    s.container = options_.container;
    s.pid = static_cast<int>(getpid());
    s.endpoint = endpoint_;
    s.queued_bytes = queued_total_;
    s.routed_batches = routed_;
    s.dropped_batches = dropped_batches_;
    s.malformed_batches = malformed_;
    s.backpressure = self_bp_;
    s.backpressure_culprit = self_bp_ ? culprit_ : "";
    s.backpressure_episodes = bp_episodes_;
    s.last_backpressure_culprit = culprit_;
    s.backpressure_ns =
        static_cast<std::uint64_t>(bp_total_ns_ + (self_bp_ ? NowNs() - bp_since_ns_ : 0));
    for (const auto& [c, who] : remote_bp_) {
      s.remote_backpressure += (s.remote_backpressure.empty() ? "" : ",") + who;
    }
    s.plan_version = plan_version_;
    s.peak_rss_kb = PeakRssKb();
    (void)sm_.Write(options_.topology, "metrics/stmgr-" + std::to_string(options_.container),
                    metrics::Encode(s));
  }

  static constexpr auto kStaleAfter = std::chrono::seconds(30);
  // Batches sent to an instance and not yet reported consumed. Bounding them
  // keeps a slow task's backlog here, where it is measured, instead of in
  // socket buffers.
  static constexpr std::size_t kWindowBatches = 8;
  static constexpr std::size_t kWindowTuples = 2048;
  struct InFlight {
    std::deque<std::size_t> batches;  // tuples of each batch sent, oldest first
    std::size_t tuples = 0;
  };

  struct Peer {
    zmq::socket_t socket;
    std::string endpoint;
  };

  StmgrOptions options_;
  std::unique_ptr<state::StateManager> sm_owner_;
  state::StateManager& sm_;
  std::shared_ptr<const plan::TopologyPlan> plan_;
  std::shared_ptr<spdlog::logger> log_;
  zmq::socket_t local_;
  zmq::socket_t data_in_;
  zmq::socket_t tmaster_;
  std::string endpoint_;
  std::string tmaster_endpoint_;
  std::string plan_version_;
  bool active_ = true;
  std::set<std::int32_t> local_tasks_;
  std::vector<std::int32_t> local_spouts_;
  std::map<std::int32_t, Queue> task_queues_;
  std::map<std::int32_t, InFlight> in_flight_;  // sent to an instance, not consumed
  std::map<std::int32_t, std::vector<std::string>> spout_state_out_;  // control not yet sent
  std::map<int, Queue> peer_queues_;
  std::map<int, Peer> peers_;
  std::size_t queued_total_ = 0;
  bool self_bp_ = false;
  std::string culprit_;
  std::map<int, std::string> remote_bp_;
  std::uint64_t bp_episodes_ = 0;
  std::int64_t bp_since_ns_ = 0;
  std::int64_t bp_total_ns_ = 0;
  std::uint64_t routed_ = 0;
  std::uint64_t dropped_batches_ = 0;
  std::uint64_t malformed_ = 0;
  Clock::time_point last_heartbeat_{};
};

}  // namespace

Status RunStreamManager(const StmgrOptions& options) {
  g_stop = &InstallStopSignalHandlers();
  auto sm = state::MakeStateManager(options.state_root);
  auto loaded = launch::LoadSubmittedTopology(*sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  StreamManager stmgr(options, loaded->plan);
  GALE_RETURN_IF_ERROR(stmgr.Start());
  stmgr.Run();
  return Status::Ok();
}

}  // namespace gale::stmgr
