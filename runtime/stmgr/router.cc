#include "stmgr/router.h"

#include "common/log.h"
#include "common/rate_limited_log.h"
#include "wire/codec.h"

namespace gale::stmgr {

Router::Router(std::shared_ptr<const plan::TopologyPlan> plan, int container, const Clock* clock,
               BackpressureGauge* gauge)
    : plan_(std::move(plan)), container_(container), clock_(clock), gauge_(gauge) {}

DeliveryQueue& Router::TaskQueue(std::int32_t task) {
  auto it = task_queues_.find(task);
  if (it == task_queues_.end()) {
    it = task_queues_
             .try_emplace(task, DeliveryQueueOptions{.credit_window = true, .clock = clock_})
             .first;
  }
  return it->second;
}

Router::Destination Router::Route(std::string batch) {
  wire::BatchKind kind;
  std::int32_t dest = 0;
  std::uint32_t count = 0;
  Status s = wire::PeekBatchHeader(batch, &kind, &dest, &count);
  if (!s.ok() || dest < 1 || dest > plan_->max_task_id()) {
    ++counters_.malformed;
    RateLimiter::Clock::time_point now{std::chrono::nanoseconds(clock_->NowNs())};
    if (auto suppressed = malformed_log_.Allow(now)) {
      Logger("stmgr")->warn("dropped malformed batch ({}); its tuples will be replayed{}",
                            s.ok() ? "unknown task " + std::to_string(dest) : s.message(),
                            SuppressedSuffix(*suppressed));
    }
    return Destination::kDropped;
  }
  ++counters_.routed;
  std::size_t tuples = kind == wire::BatchKind::kData ? count : 0;
  int container = plan_->container_of(dest);
  DeliveryQueue* q;
  Culprit who;
  Destination where;
  if (container == container_) {
    q = &TaskQueue(dest);
    who = Culprit::Task(dest);
    where = Destination::kLocalTask;
  } else {
    q = &peer_queues_.try_emplace(container, DeliveryQueueOptions{.clock = clock_}).first->second;
    who = Culprit::Container(container);
    where = Destination::kPeer;
  }
  q->Push(std::move(batch), tuples);
  if (gauge_->OnGrow(q->bytes(), q->tuples(), who)) {
    Logger("stmgr")->info("backpressure on: {} has {} tuples ({} bytes) queued",
                          CulpritName(*plan_, who), q->tuples(), q->bytes());
  }
  return where;
}

void Router::Flush(Outlet& out) {
  // Drains one queue in bundles until it is empty, out of credit, or the
  // send fails.
  auto drain = [this](DeliveryQueue& q, auto&& send) {
    while (std::size_t n = q.SendableCount(kMaxBundle)) {
      bundle_.clear();
      for (std::size_t i = 0; i < n; ++i) bundle_.push_back(q.at(i));
      if (!send(bundle_)) return;
      for (std::size_t i = 0; i < n; ++i) q.MarkSent();
    }
  };
  for (auto& [task, q] : task_queues_) {
    drain(q, [&](const std::vector<std::string_view>& b) { return out.SendToTask(task, b); });
  }
  for (auto& [container, q] : peer_queues_) {
    drain(q, [&](const std::vector<std::string_view>& b) {
      return out.SendToPeer(container, b);
    });
  }
}

void Router::Consumed(std::int32_t task, std::size_t batches) {
  TaskQueue(task).Consumed(batches);
}

void Router::InstanceHello(std::int32_t task) { TaskQueue(task).ResetWindow(); }

bool Router::Tick() {
  auto drop = [this](DeliveryQueue& q, const std::string& what) {
    std::size_t bytes = q.bytes();
    std::size_t n = q.DropIfStale();
    if (n == 0) return;
    counters_.stale += n;
    Logger("stmgr")->warn("dropping {} batches ({} bytes) for {}, which accepted nothing for {} s",
                          n, bytes, what, DeliveryQueue::kStaleAfter.count());
  };
  for (auto& [task, q] : task_queues_) {
    if (!q.empty()) drop(q, "task " + std::to_string(task));
  }
  for (auto& [c, q] : peer_queues_) {
    if (!q.empty()) drop(q, "container " + std::to_string(c));
  }
  return UpdateBackpressure();
}

bool Router::UpdateBackpressure() {
  Culprit over;
  const DeliveryQueue* over_q = nullptr;
  bool all_below = true;
  auto check = [&](const DeliveryQueue& q, Culprit who) {
    all_below = all_below && gauge_->Below(q.bytes(), q.tuples());
    if (over_q == nullptr && gauge_->Above(q.bytes(), q.tuples())) {
      over_q = &q;
      over = who;
    }
  };
  for (const auto& [task, q] : task_queues_) check(q, Culprit::Task(task));
  for (const auto& [c, q] : peer_queues_) check(q, Culprit::Container(c));
  if (!gauge_->Update(over, all_below)) return false;
  if (gauge_->on()) {
    Logger("stmgr")->info("backpressure on: {} has {} tuples ({} bytes) queued",
                          CulpritName(*plan_, over), over_q->tuples(), over_q->bytes());
  } else {
    Logger("stmgr")->info("backpressure off");
  }
  return true;
}

bool Router::has_backlog() const {
  for (const auto& [task, q] : task_queues_) {
    if (!q.empty()) return true;
  }
  for (const auto& [c, q] : peer_queues_) {
    if (!q.empty()) return true;
  }
  return false;
}

std::size_t Router::queued_bytes() const {
  std::size_t total = 0;
  for (const auto& [task, q] : task_queues_) total += q.bytes();
  for (const auto& [c, q] : peer_queues_) total += q.bytes();
  return total;
}

const DeliveryQueue* Router::task_queue(std::int32_t task) const {
  auto it = task_queues_.find(task);
  return it == task_queues_.end() ? nullptr : &it->second;
}

const DeliveryQueue* Router::peer_queue(int container) const {
  auto it = peer_queues_.find(container);
  return it == peer_queues_.end() ? nullptr : &it->second;
}

}  // namespace gale::stmgr
