#pragma once

// Rate-limited logging of what can happen once per tuple: input that came
// from another process and cannot be used (a malformed batch, an
// undecodable tuple, a record naming tasks the topology lacks), exceptions
// thrown by user code, errors a component reports, misuse of the collector.
// The first line of a kind is logged at once, then at most one per 10 s,
// carrying "(N similar lines suppressed)" for those in between, so a
// broken peer or a bolt failing every tuple cannot flood a task's log. The
// counts stay exact in the task's metrics (user_errors, misuse, ...).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/log.h"
#include "common/rate_limited_log.h"

namespace gale::task {

// Logs `message` for `task` at `level` if `limiter` lets it through at
// `now_ns` (nanoseconds of the executor's clock).
inline void LogLimited(RateLimiter& limiter, std::int64_t now_ns, spdlog::level::level_enum level,
                       std::string_view task, std::string_view message) {
  RateLimiter::Clock::time_point now{std::chrono::nanoseconds(now_ns)};
  if (auto suppressed = limiter.Allow(now)) {
    Logger("instance")->log(level, "{}: {}{}", task, message, SuppressedSuffix(*suppressed));
  }
}

inline void LogBadInput(RateLimiter& limiter, std::string_view task, std::string_view message) {
  if (auto suppressed = limiter.Allow(RateLimiter::Clock::now())) {
    Logger("instance")->error("{}: {}{}", task, message, SuppressedSuffix(*suppressed));
  }
}

}  // namespace gale::task
