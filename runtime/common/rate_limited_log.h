#pragma once

// Logs the first of a kind of event, then at most one line per interval
// saying how many were suppressed in between, so a peer sending garbage or a
// bolt failing every tuple cannot flood the log. The count of suppressed
// lines goes with the next line logged. Not thread-safe: one per thread or
// under a lock.
//
//   if (auto suppressed = limiter.Allow(RateLimiter::Clock::now())) {
//     log->error("{}: {}{}", task, message, SuppressedSuffix(*suppressed));
//   }

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace gale {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  explicit RateLimiter(std::chrono::milliseconds interval = std::chrono::seconds(10))
      : interval_(interval) {}

  // Whether to log an event happening at `now`; if so, the number of events
  // suppressed since the last logged one (0 for the first).
  std::optional<std::uint64_t> Allow(Clock::time_point now) {
    if (logged_once_ && now - last_ < interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    logged_once_ = true;
    last_ = now;
    std::uint64_t n = suppressed_;
    suppressed_ = 0;
    return n;
  }

 private:
  std::chrono::milliseconds interval_;
  bool logged_once_ = false;
  Clock::time_point last_{};
  std::uint64_t suppressed_ = 0;
};

// " (N similar lines suppressed)", or "" when N is 0: what the line that
// RateLimiter::Allow let through appends.
inline std::string SuppressedSuffix(std::uint64_t suppressed) {
  if (suppressed == 0) return "";
  return " (" + std::to_string(suppressed) + " similar line" + (suppressed == 1 ? "" : "s") +
         " suppressed)";
}

}  // namespace gale
