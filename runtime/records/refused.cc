#include "records/refused.h"

#include <atomic>
#include <mutex>

#include "common/log.h"
#include "common/rate_limited_log.h"

namespace gale::records {
namespace {

std::atomic<std::uint64_t> g_refused{0};
std::mutex g_mu;
RateLimiter g_limiter;  // guarded by g_mu

}  // namespace

std::uint64_t RefusedCount() { return g_refused.load(std::memory_order_relaxed); }

void Refuse(std::string_view logger_name, std::string_view what, const Status& why) {
  g_refused.fetch_add(1, std::memory_order_relaxed);
  std::optional<std::uint64_t> suppressed;
  {
    std::lock_guard<std::mutex> lock(g_mu);
    suppressed = g_limiter.Allow(RateLimiter::Clock::now());
  }
  if (!suppressed) return;
  Logger(std::string(logger_name))
      ->warn("refused {}: {} (refused_total={} suppressed_since_last={})", what, why.message(),
             RefusedCount(), *suppressed);
}

}  // namespace gale::records
