#pragma once

// Rate limit for repeated client errors (a broker outage produces one per
// request); shared by KafkaSpout and KafkaBolt. Header-only.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace gale::kafka {

// Lets one message through per interval and counts the ones held back; the
// next message that passes says how many were suppressed. Not thread-safe.
class ErrorThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit ErrorThrottle(Clock::duration interval = std::chrono::seconds(5))
      : interval_(interval) {}

  // The text to report now, or nullopt when `message` is suppressed.
  std::optional<std::string> Admit(const std::string& message, Clock::time_point now) {
    if (reported_once_ && now - last_ < interval_) {
      ++suppressed_;
      return std::nullopt;
    }
    std::string text = message;
    if (suppressed_ > 0) {
      text += " (" + std::to_string(suppressed_) + " similar line" +
              (suppressed_ == 1 ? "" : "s") + " suppressed)";
    }
    suppressed_ = 0;
    last_ = now;
    reported_once_ = true;
    return text;
  }
  std::optional<std::string> Admit(const std::string& message) {
    return Admit(message, Clock::now());
  }

 private:
  Clock::duration interval_;
  Clock::time_point last_{};
  bool reported_once_ = false;
  std::uint64_t suppressed_ = 0;
};

}  // namespace gale::kafka
