#pragma once

// The executor of one task: the thread that owns a spout or bolt object and
// calls all of its methods. Local mode runs one executor per task on its own
// thread; the multi-process runtime runs one per instance process.

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "common/clock.h"
#include "common/status.h"
#include "task/task_io.h"
#include "task/task_metrics.h"
#include "plan/plan.h"

namespace gale::task {

struct ExecutorOptions {
  std::int32_t task_id = 0;
  std::shared_ptr<const plan::TopologyPlan> plan;
  Outbox* outbox = nullptr;
  Inbox* inbox = nullptr;
  Signals* signals = nullptr;
  TaskMetrics* metrics = nullptr;
  std::uint64_t seed = 0;  // 0: random
  // The container of this task when it runs as its own process; -1 in local
  // mode, where every task is local to every other.
  int container = -1;
  // Every time decision (tuple-tree timeouts, flush linger, tick tuples,
  // latency) reads this clock; real waits stay real. Must outlive the
  // executor.
  const Clock* clock = Clock::System();
  // A spout whose NextTuple came back empty keeps what it buffered while it
  // asks again at once, and sends it when it goes to sleep or with the next
  // message it sends anyway (the report of consumed ack batches), instead of
  // at the first empty call. Worth it where each message costs wake-ups in
  // several processes (a task in its own process); in local mode a batch is
  // a queue push, and sending at once keeps the latency of a slow spout
  // lowest.
  bool linger_when_idle = false;
};

class Executor {
 public:
  virtual ~Executor() = default;

  // Creates the component and calls Open/Prepare. On failure the returned
  // status names the component, the task and the reason.
  virtual Status Start() = 0;
  // Runs until signals->stop; then calls Close/Cleanup.
  virtual void Run() = 0;
  // True while nothing of this task is outstanding: a spout that is exhausted
  // with no tree in flight and nothing buffered. Bolts are always drained
  // between batches. Readable from any thread.
  bool drained() const { return drained_.load(std::memory_order_acquire); }
  // True once a deactivated spout has sent everything it emitted (bolts:
  // always), so a graceful stop can wait for what is in flight.
  bool quiesced() const { return quiesced_.load(std::memory_order_acquire); }

 protected:
  std::atomic<bool> drained_{false};
  std::atomic<bool> quiesced_{false};
};

std::unique_ptr<Executor> MakeExecutor(const ExecutorOptions& options);

// "component 'split' task 3"
std::string TaskName(const plan::TopologyPlan& plan, std::int32_t task_id);

}  // namespace gale::task
