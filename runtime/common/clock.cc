#include "common/clock.h"

#include <chrono>

namespace gale {

std::int64_t SystemClock::NowNs() const {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

const Clock* Clock::System() {
  static const SystemClock* const clock = new SystemClock();
  return clock;
}

}  // namespace gale
