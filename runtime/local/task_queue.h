#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/clock.h"
#include "plan/plan.h"
#include "stmgr/backpressure_gauge.h"
#include "stmgr/delivery_queue.h"
#include "task/task_io.h"

namespace gale::local {

// Counts batches sent but not yet fully processed, across the whole local
// topology; zero means every queue is empty and no executor is busy with
// input (used to detect that a bounded topology has finished).
struct InFlight {
  std::atomic<std::int64_t> batches{0};
};

// The inbox of one task in local mode: an unbounded multi-producer queue of
// batches whose size (bytes and tuples) drives backpressure. Pushing never
// blocks, so a cycle in the topology cannot deadlock; instead, while the
// queue is above a high watermark, it raises Signals::backpressure (spouts
// stop) until it falls below the low watermarks.
//
// The inbox of a spout also wakes on the changes of Signals (Wake(), called
// by whoever changes them, and by a queue whose backpressure was the last
// to lift), so a throttled or stopped spout sleeps until something changes
// instead of re-checking the flags on a short timer.
//
// The rules are the stream manager's: the FIFO and its accounting are a
// stmgr::DeliveryQueue and backpressure is a stmgr::BackpressureGauge whose
// only queue is this one, both behind this class's mutex. The delivery
// queue's credit window and stale drop do not apply: Receive hands batches
// straight to the task's thread (at most kMaxTuplesPerReceive at a time), so
// there is no socket buffer to bound, and a task cannot die on its own.
class TaskQueue : public task::Inbox {
 public:
  static constexpr std::size_t kMaxTuplesPerReceive = 2048;

  // `signals`, `in_flight` and `clock` must outlive the queue.
  TaskQueue(std::int32_t task, task::Signals* signals, InFlight* in_flight,
            const plan::Watermarks& watermarks, const Clock* clock = Clock::System());

  // Before the task runs: `lifted` is called (on the thread that drained
  // the queue, no lock held) when this queue's backpressure was the last
  // to lift.
  void OnBackpressureLifted(std::function<void()> lifted) { lifted_ = std::move(lifted); }
  // Before the task runs: the owner is told that Receive returns when
  // Wake() is called (a spout's inbox, with every Signals change waking it).
  void WakeOnSignals() { wakes_on_signals_ = true; }

  // Any thread.
  void Push(std::string batch);
  // Any thread: the next (or current) Receive returns even if nothing came.
  void Wake();
  // Owner thread. Takes batches up to about kMaxTuplesPerReceive data
  // tuples, so what waits here (and counts for backpressure) is what the
  // task has not started on.
  void Receive(std::vector<std::string>* out, std::chrono::nanoseconds timeout) override;
  void Done(std::size_t n) override;
  bool wakes_on_signals() const override { return wakes_on_signals_; }

  // Any thread (a live, relaxed view).
  bool in_backpressure() const { return gauge_.on(); }
  // Backpressure episodes this queue caused and their total length so far.
  std::uint64_t bp_episodes() const { return gauge_.episodes(); }
  std::int64_t bp_ns() const { return gauge_.on_ns(); }
  // Data tuples waiting for the task to take them. Any thread (locks).
  std::size_t queued_tuples() const;

 private:
  // With mu_ held. True when it lifted the topology's last backpressure.
  bool UpdateBackpressure();
  void Lifted(bool lifted) {
    if (lifted && lifted_) lifted_();
  }

  std::int32_t task_;
  task::Signals* signals_;
  InFlight* in_flight_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  stmgr::DeliveryQueue items_;      // guarded by mu_
  stmgr::BackpressureGauge gauge_;  // updated under mu_
  bool waiting_ = false;            // guarded by mu_
  bool woken_ = false;              // guarded by mu_: Wake() since the last Receive that could wait
  bool wakes_on_signals_ = false;
  std::function<void()> lifted_;
};

}  // namespace gale::local
