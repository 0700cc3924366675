#include "local/task_queue.h"

#include "wire/codec.h"

namespace gale::local {
namespace {

std::size_t DataTuples(const std::string& batch) {
  wire::BatchKind kind;
  std::int32_t dest;
  std::uint32_t count = 0;
  if (!wire::PeekBatchHeader(batch, &kind, &dest, &count).ok()) return 0;
  return kind == wire::BatchKind::kData ? count : 0;
}

}  // namespace

TaskQueue::TaskQueue(std::int32_t task, task::Signals* signals, InFlight* in_flight,
                     const plan::Watermarks& watermarks, const Clock* clock)
    : task_(task), signals_(signals), in_flight_(in_flight), gauge_(watermarks, clock) {}

void TaskQueue::Push(std::string batch) {
  in_flight_->batches.fetch_add(1, std::memory_order_relaxed);
  std::size_t tuples = DataTuples(batch);
  bool wake;
  bool lifted;
  {
    std::lock_guard<std::mutex> lock(mu_);
    items_.Push(std::move(batch), tuples);
    lifted = UpdateBackpressure();
    wake = waiting_;
  }
  if (wake) cv_.notify_one();
  Lifted(lifted);
}

void TaskQueue::Wake() {
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
    wake = waiting_;
  }
  if (wake) cv_.notify_one();
}

void TaskQueue::Receive(std::vector<std::string>* out, std::chrono::nanoseconds timeout) {
  bool lifted;
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (timeout.count() > 0) {
      // Only a receive that may wait takes the wake: the owner looked at
      // the signals before it, and a wake since then must end this wait.
      if (items_.empty() && !woken_) {
        waiting_ = true;
        cv_.wait_for(lock, timeout, [this] { return !items_.empty() || woken_; });
        waiting_ = false;
      }
      woken_ = false;
    }
    std::size_t taken_tuples = 0;
    while (!items_.empty() && taken_tuples < kMaxTuplesPerReceive) {
      std::size_t tuples;
      out->push_back(items_.Take(&tuples));
      taken_tuples += tuples;
    }
    lifted = UpdateBackpressure();
  }
  Lifted(lifted);
}

std::size_t TaskQueue::queued_tuples() const {
  std::lock_guard<std::mutex> lock(mu_);
  return items_.tuples();
}

void TaskQueue::Done(std::size_t n) {
  in_flight_->batches.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_acq_rel);
}

bool TaskQueue::UpdateBackpressure() {
  std::size_t bytes = items_.bytes();
  std::size_t tuples = items_.tuples();
  if (!gauge_.on()) {
    if (gauge_.OnGrow(bytes, tuples, stmgr::Culprit::Task(task_))) {
      signals_->backpressure.fetch_add(1, std::memory_order_relaxed);
    }
  } else if (gauge_.Update({}, gauge_.Below(bytes, tuples))) {
    return signals_->backpressure.fetch_sub(1, std::memory_order_relaxed) == 1;
  }
  return false;
}

}  // namespace gale::local
