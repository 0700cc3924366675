#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "task/task_io.h"
#include "plan/plan.h"

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
class TaskQueue : public task::Inbox {
 public:
  static constexpr std::size_t kMaxTuplesPerReceive = 2048;

  TaskQueue(task::Signals* signals, InFlight* in_flight, plan::Watermarks watermarks);

  // Any thread.
  void Push(std::string batch);
  // Owner thread. Takes batches up to about kMaxTuplesPerReceive data
  // tuples, so what waits here (and counts for backpressure) is what the
  // task has not started on.
  void Receive(std::vector<std::string>* out, std::chrono::nanoseconds timeout) override;
  void Done(std::size_t n) override;

  std::size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  bool in_backpressure() const { return in_bp_.load(std::memory_order_relaxed); }
  // Backpressure episodes this queue caused and their total length so far.
  std::uint64_t bp_episodes() const { return bp_episodes_.load(std::memory_order_relaxed); }
  std::int64_t bp_ns() const;

 private:
  void UpdateBackpressure();  // with mu_ held

  task::Signals* signals_;
  InFlight* in_flight_;
  plan::Watermarks watermarks_;
  std::mutex mu_;
  std::condition_variable cv_;
  struct Item {
    std::string batch;
    std::size_t tuples;  // data tuples in it
  };
  std::deque<Item> items_;
  std::size_t tuples_ = 0;  // data tuples in items_
  bool waiting_ = false;
  std::atomic<std::size_t> bytes_{0};
  std::atomic<bool> in_bp_{false};
  std::atomic<std::uint64_t> bp_episodes_{0};
  std::atomic<std::int64_t> bp_total_ns_{0};
  std::atomic<std::int64_t> bp_since_ns_{0};
};

}  // namespace gale::local
