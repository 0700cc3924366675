#pragma once

// A Clock that moves only when the test says so. Thread-safe: executors and
// queues may read it from other threads while the test advances it.

#include <atomic>
#include <chrono>
#include <cstdint>

#include "common/clock.h"

namespace gale::test_support {

class FakeClock : public Clock {
 public:
  explicit FakeClock(std::int64_t start_ns = 1'000'000'000) : now_ns_(start_ns) {}

  std::int64_t NowNs() const override { return now_ns_.load(std::memory_order_acquire); }

  void Set(std::int64_t ns) { now_ns_.store(ns, std::memory_order_release); }
  void Advance(std::chrono::nanoseconds d) {
    now_ns_.fetch_add(d.count(), std::memory_order_acq_rel);
  }

 private:
  std::atomic<std::int64_t> now_ns_;
};

}  // namespace gale::test_support
