#include "stmgr/delivery_queue.h"

#include <algorithm>

namespace gale::stmgr {

DeliveryQueue::DeliveryQueue(const DeliveryQueueOptions& options) : options_(options) {
  NoteProgress();
}

std::size_t DeliveryQueue::SendableCount(std::size_t max) const {
  max = std::min(max, items_.size());
  if (!options_.credit_window) return max;
  std::size_t batches = in_flight_.size();
  std::size_t tuples = in_flight_tuples_;
  std::size_t n = 0;
  while (n < max && batches < kWindowBatches && tuples < kWindowTuples) {
    ++batches;
    tuples += items_[n].tuples;
    ++n;
  }
  return n;
}

void DeliveryQueue::MarkSent() {
  Item& item = items_.front();
  if (options_.credit_window) {
    in_flight_.push_back(item.tuples);
    in_flight_tuples_ += item.tuples;
  }
  bytes_ -= item.batch.size();
  tuples_ -= item.tuples;
  items_.pop_front();
  NoteProgress();
}

std::string DeliveryQueue::Take(std::size_t* tuples) {
  Item& item = items_.front();
  std::string batch = std::move(item.batch);
  *tuples = item.tuples;
  bytes_ -= batch.size();
  tuples_ -= item.tuples;
  items_.pop_front();
  NoteProgress();
  return batch;
}

void DeliveryQueue::Consumed(std::size_t batches) {
  NoteProgress();  // slow, but alive
  for (; batches > 0 && !in_flight_.empty(); --batches) {
    in_flight_tuples_ -= in_flight_.front();
    in_flight_.pop_front();
  }
}

void DeliveryQueue::ResetWindow() {
  in_flight_.clear();
  in_flight_tuples_ = 0;
}

std::size_t DeliveryQueue::DropIfStale() {
  if (options_.clock == nullptr || items_.empty()) return 0;
  std::int64_t now = options_.clock->NowNs();
  if (now - last_progress_ns_ < std::chrono::nanoseconds(kStaleAfter).count()) return 0;
  std::size_t dropped = items_.size();
  items_.clear();
  bytes_ = 0;
  tuples_ = 0;
  last_progress_ns_ = now;
  return dropped;
}

}  // namespace gale::stmgr
