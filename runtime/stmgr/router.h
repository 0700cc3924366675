#pragma once

// The forwarding core of a stream manager, free of sockets:
//
//   batch --Route--> peek header --dest task--> plan: container of task
//                        |                          |            |
//                   malformed/unknown          this one       another
//                   (dropped, counted)            v              v
//                                       [DeliveryQueue task-N] [DeliveryQueue stmgr-M]
//                                                 \              /
//                                                  Flush(Outlet&)  (non-blocking sends)
//
// Every queue is measured against the watermarks of the BackpressureGauge:
// a queue passing a high watermark turns it on at once (a fast spout emits
// many tuples in the time a periodic check would take); Tick() re-checks
// every queue, drops stale ones and lets backpressure off.
//
// Thread: the stream manager's thread only.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/clock.h"
#include "common/rate_limited_log.h"
#include "plan/plan.h"
#include "stmgr/backpressure_gauge.h"
#include "stmgr/delivery_queue.h"

namespace gale::stmgr {

// Where the router's queues drain to. Each call sends its batches (oldest
// first, at least one) together as one message. Sends never block: false
// means "not now" (a full pipe, or a peer not connected yet) and the
// batches stay queued.
class Outlet {
 public:
  virtual ~Outlet() = default;
  virtual bool SendToTask(std::int32_t task, const std::vector<std::string_view>& batches) = 0;
  virtual bool SendToPeer(int container, const std::vector<std::string_view>& batches) = 0;
};

struct RouterCounters {
  std::uint64_t routed = 0;     // batches queued
  std::uint64_t malformed = 0;  // unreadable header or unknown task: dropped
  std::uint64_t stale = 0;      // dropped with a stale queue
};

class Router {
 public:
  enum class Destination { kDropped, kLocalTask, kPeer };

  // `gauge` and `clock` must outlive the router.
  Router(std::shared_ptr<const plan::TopologyPlan> plan, int container, const Clock* clock,
         BackpressureGauge* gauge);

  // Queues one batch for its destination task. The returned destination
  // says where it went (kDropped: malformed or unknown task, counted).
  Destination Route(std::string batch);
  // Sends what the queues and credit windows allow, up to kMaxBundle
  // batches per message.
  static constexpr std::size_t kMaxBundle = 32;
  void Flush(Outlet& out);

  // An instance reported `batches` finished batches / said hello.
  void Consumed(std::int32_t task, std::size_t batches);
  void InstanceHello(std::int32_t task);

  // Drops stale queues, then re-evaluates backpressure over every queue.
  // Returns true if backpressure changed.
  bool Tick();
  // Re-evaluates backpressure over every queue; true if it changed.
  bool UpdateBackpressure();

  bool has_backlog() const;
  std::size_t queued_bytes() const;
  const RouterCounters& counters() const { return counters_; }
  const DeliveryQueue* task_queue(std::int32_t task) const;
  const DeliveryQueue* peer_queue(int container) const;

 private:
  DeliveryQueue& TaskQueue(std::int32_t task);

  std::shared_ptr<const plan::TopologyPlan> plan_;
  int container_;
  const Clock* clock_;
  BackpressureGauge* gauge_;
  std::map<std::int32_t, DeliveryQueue> task_queues_;
  std::map<int, DeliveryQueue> peer_queues_;
  RouterCounters counters_;
  RateLimiter malformed_log_;  // one line per 10 s with the count between
  std::vector<std::string_view> bundle_;  // reused by Flush
};

}  // namespace gale::stmgr
