#pragma once

// Logging of input that came from another process and cannot be used (a
// malformed batch, an undecodable tuple, a record naming tasks the topology
// lacks): the first at once, then at most one line per 10 s saying how many
// were not logged, so a broken or hostile peer cannot flood a task's log.

#include <string>
#include <string_view>

#include "common/log.h"
#include "common/rate_limited_log.h"

namespace gale::task {

inline void LogBadInput(RateLimiter& limiter, std::string_view task, std::string_view message) {
  if (auto suppressed = limiter.Allow(RateLimiter::Clock::now())) {
    Logger("instance")->error("{}: {}{}", task, message,
                              *suppressed == 0
                                  ? std::string()
                                  : " (" + std::to_string(*suppressed) +
                                        " more since the last such message)");
  }
}

}  // namespace gale::task
