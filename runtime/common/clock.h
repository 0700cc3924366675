#pragma once

// Monotonic time behind a small interface, so code that decides from time
// (timeouts, linger, backpressure accounting) can be driven by a fake clock
// in tests. Real waits (condition variables, poll timeouts) stay real.

#include <chrono>
#include <cstdint>
#include <ctime>

namespace gale {

// A monotonic clock in nanoseconds since an arbitrary epoch. Implementations
// are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::int64_t NowNs() const = 0;

  // The process-wide steady clock; never null, never destroyed.
  static const Clock* System();
};

// std::chrono::steady_clock.
class SystemClock final : public Clock {
 public:
  std::int64_t NowNs() const override;
};

// A wait as the timespec that ppoll(2) takes, to the nanosecond.
inline timespec ToTimespec(std::chrono::nanoseconds wait) {
  return {static_cast<time_t>(wait.count() / 1'000'000'000),
          static_cast<long>(wait.count() % 1'000'000'000)};
}

}  // namespace gale
