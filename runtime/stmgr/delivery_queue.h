#pragma once

// The batches waiting for one destination: a local task or a peer
// container. A FIFO measured in bytes and data tuples (what backpressure
// looks at), with two optional rules:
//
// - credit window (towards a local instance): at most kWindowBatches batches
//   and about kWindowTuples tuples sent and not yet reported consumed
//   (kConsumed); the instance's hello resets it. This keeps a slow task's
//   backlog here, where it is measured, instead of in socket buffers.
// - progress tracking: the last time the destination took a batch or
//   reported progress; a queue that made none for kStaleAfter is dropped
//   (counted; acking replays the tuples).
//
// Local mode uses the FIFO and its accounting only: its queue hands batches
// straight to the task's thread (no socket buffer to bound, so no credit
// window) and a task cannot die alone (so nothing goes stale).
//
// Thread: one owner; not thread-safe (local mode holds its own lock).

#include <chrono>
#include <cstdint>
#include <deque>
#include <string>

#include "common/clock.h"

namespace gale::stmgr {

struct DeliveryQueueOptions {
  bool credit_window = false;
  // Progress tracking and the stale drop; null: off.
  const Clock* clock = nullptr;
};

class DeliveryQueue {
 public:
  static constexpr std::size_t kWindowBatches = 8;
  static constexpr std::size_t kWindowTuples = 2048;
  static constexpr std::chrono::seconds kStaleAfter{30};

  explicit DeliveryQueue(const DeliveryQueueOptions& options = {});

  void Push(std::string batch, std::size_t tuples) {
    bytes_ += batch.size();
    tuples_ += tuples;
    items_.push_back({std::move(batch), tuples});
  }

  // The oldest batch if the credit window lets it go now, else null.
  const std::string* Sendable() const {
    if (items_.empty()) return nullptr;
    if (options_.credit_window &&
        (in_flight_.size() >= kWindowBatches || in_flight_tuples_ >= kWindowTuples)) {
      return nullptr;
    }
    return &items_.front().batch;
  }
  // How many of the oldest batches (at most `max`) the credit window lets go
  // now, to send together; at(i) is the i-th oldest.
  std::size_t SendableCount(std::size_t max) const;
  const std::string& at(std::size_t i) const { return items_[i].batch; }
  // The oldest batch was sent: it leaves the queue and, with a credit
  // window, counts as in flight.
  void MarkSent();
  // Removes and returns the oldest batch (local mode: the task takes it).
  // Sets *tuples to its data tuples. The queue must not be empty.
  std::string Take(std::size_t* tuples);
  std::size_t front_tuples() const { return items_.front().tuples; }

  // The instance finished `batches` batches (kConsumed): frees credit.
  void Consumed(std::size_t batches);
  // The instance (re)started and holds nothing.
  void ResetWindow();

  // With progress tracking: drops every batch if the destination took
  // nothing for kStaleAfter. Returns the number of batches dropped.
  std::size_t DropIfStale();

  bool empty() const { return items_.empty(); }
  std::size_t batches() const { return items_.size(); }
  std::size_t bytes() const { return bytes_; }
  std::size_t tuples() const { return tuples_; }
  std::size_t in_flight_batches() const { return in_flight_.size(); }
  std::size_t in_flight_tuples() const { return in_flight_tuples_; }

 private:
  struct Item {
    std::string batch;
    std::size_t tuples;  // data tuples in it
  };
  void NoteProgress() {
    if (options_.clock != nullptr) last_progress_ns_ = options_.clock->NowNs();
  }

  DeliveryQueueOptions options_;
  std::deque<Item> items_;
  std::size_t bytes_ = 0;
  std::size_t tuples_ = 0;
  std::deque<std::size_t> in_flight_;  // tuples of each batch sent, oldest first
  std::size_t in_flight_tuples_ = 0;
  std::int64_t last_progress_ns_ = 0;
};

}  // namespace gale::stmgr
