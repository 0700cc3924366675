#pragma once

// Counter is a 64-bit count written by one thread and read by any.
//
// Add() is a relaxed load and store rather than an atomic read-modify-write:
// with a single writer no increment can be lost, and it avoids a locked
// instruction on the hot path. Readers see some recent value, never a torn
// one. Two threads calling Add() on the same counter lose increments.

#include <atomic>
#include <cstdint>

namespace gale::metrics {

class Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  // Writer thread only.
  void Add(std::uint64_t n = 1) {
    value_.store(value_.load(std::memory_order_relaxed) + n,
                 std::memory_order_relaxed);
  }

  // Any thread.
  std::uint64_t Get() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

}  // namespace gale::metrics
