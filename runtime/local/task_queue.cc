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

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TaskQueue::TaskQueue(task::Signals* signals, InFlight* in_flight,
                     plan::Watermarks watermarks)
    : signals_(signals), in_flight_(in_flight), watermarks_(watermarks) {}

void TaskQueue::Push(std::string batch) {
  in_flight_->batches.fetch_add(1, std::memory_order_relaxed);
  bool wake;
  {
    std::lock_guard<std::mutex> lock(mu_);
    bytes_.fetch_add(batch.size(), std::memory_order_relaxed);
    std::size_t tuples = DataTuples(batch);
    tuples_ += tuples;
    items_.push_back({std::move(batch), tuples});
    UpdateBackpressure();
    wake = waiting_;
  }
  if (wake) cv_.notify_one();
}

void TaskQueue::Receive(std::vector<std::string>* out, std::chrono::nanoseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  if (items_.empty() && timeout.count() > 0) {
    waiting_ = true;
    cv_.wait_for(lock, timeout, [this] { return !items_.empty(); });
    waiting_ = false;
  }
  std::size_t taken = 0;
  std::size_t taken_tuples = 0;
  while (!items_.empty() && taken_tuples < kMaxTuplesPerReceive) {
    Item& item = items_.front();
    taken += item.batch.size();
    taken_tuples += item.tuples;
    out->push_back(std::move(item.batch));
    items_.pop_front();
  }
  tuples_ -= taken_tuples;
  bytes_.fetch_sub(taken, std::memory_order_relaxed);
  UpdateBackpressure();
}

void TaskQueue::Done(std::size_t n) {
  in_flight_->batches.fetch_sub(static_cast<std::int64_t>(n), std::memory_order_acq_rel);
}

void TaskQueue::UpdateBackpressure() {
  std::size_t bytes = bytes_.load(std::memory_order_relaxed);
  bool in_bp = in_bp_.load(std::memory_order_relaxed);
  if (!in_bp && watermarks_.Above(bytes, tuples_)) {
    in_bp_.store(true, std::memory_order_relaxed);
    bp_since_ns_.store(NowNs(), std::memory_order_relaxed);
    bp_episodes_.fetch_add(1, std::memory_order_relaxed);
    signals_->backpressure.fetch_add(1, std::memory_order_relaxed);
  } else if (in_bp && watermarks_.Below(bytes, tuples_)) {
    in_bp_.store(false, std::memory_order_relaxed);
    bp_total_ns_.fetch_add(NowNs() - bp_since_ns_.load(std::memory_order_relaxed), std::memory_order_relaxed);
    signals_->backpressure.fetch_sub(1, std::memory_order_relaxed);
  }
}

std::int64_t TaskQueue::bp_ns() const {
  std::int64_t total = bp_total_ns_.load(std::memory_order_relaxed);
  // bp_since_ns_ is read racily for a live view; good enough for metrics.
  if (in_bp_.load(std::memory_order_relaxed)) total += NowNs() - bp_since_ns_.load(std::memory_order_relaxed);
  return total;
}

}  // namespace gale::local
