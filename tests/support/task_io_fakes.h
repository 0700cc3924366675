#pragma once

// An Outbox and an Inbox for driving one task executor in a unit test,
// without queues or sockets, and a run of an executor over scripted input.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "common/status.h"
#include "plan/plan.h"
#include "support/fake_clock.h"
#include "task/executor.h"
#include "task/task_io.h"
#include "task/task_metrics.h"

namespace gale::test_support {

// Keeps every batch sent, with its destination task.
class KeepingOutbox : public task::Outbox {
 public:
  void Send(std::int32_t dest, std::string batch) override {
    sent.emplace_back(dest, std::move(batch));
  }
  std::vector<std::pair<std::int32_t, std::string>> sent;
};

// Hands over the scripted batches at the first Receive, then stops the
// executor at the next.
class OnceInbox : public task::Inbox {
 public:
  void Receive(std::vector<std::string>* out, std::chrono::nanoseconds) override {
    if (given_) {
      signals->stop.store(true);
      return;
    }
    given_ = true;
    for (const std::string& b : batches) out->push_back(b);
  }
  void Done(std::size_t) override {}
  std::vector<std::string> batches;
  task::Signals* signals = nullptr;

 private:
  bool given_ = false;
};

// One run of a task's executor over the batches put in `inbox.batches`, on
// a fake clock: what it sends stays in `outbox`, what it counts in
// `metrics`.
struct OnceRun {
  FakeClock clock;
  KeepingOutbox outbox;
  OnceInbox inbox;
  task::Signals signals;
  task::TaskMetrics metrics;

  // Starts task `task_id` of `plan` and runs it until the inbox has handed
  // over its batches; the status of Start.
  Status Run(std::shared_ptr<const plan::TopologyPlan> plan, std::int32_t task_id,
             std::uint64_t seed) {
    inbox.signals = &signals;
    task::ExecutorOptions o;
    o.task_id = task_id;
    o.plan = std::move(plan);
    o.outbox = &outbox;
    o.inbox = &inbox;
    o.signals = &signals;
    o.metrics = &metrics;
    o.seed = seed;
    o.clock = &clock;
    auto executor = task::MakeExecutor(o);
    Status started = executor->Start();
    if (started.ok()) executor->Run();
    return started;
  }
};

}  // namespace gale::test_support
