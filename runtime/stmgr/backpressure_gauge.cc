#include "stmgr/backpressure_gauge.h"

namespace gale::stmgr {

std::string CulpritName(const plan::TopologyPlan& plan, Culprit culprit) {
  switch (culprit.kind) {
    case Culprit::Kind::kTask:
      return plan.component_of(culprit.id).id + ":" + std::to_string(culprit.id);
    case Culprit::Kind::kContainer:
      return "stmgr:" + std::to_string(culprit.id);
    case Culprit::Kind::kNone:
      break;
  }
  return "";
}

BackpressureGauge::BackpressureGauge(const plan::Watermarks& watermarks, const Clock* clock)
    : watermarks_(watermarks), clock_(clock) {}

bool BackpressureGauge::Update(Culprit over, bool all_below) {
  bool is_on = on();
  if (!is_on && over.kind != Culprit::Kind::kNone) {
    last_culprit_ = over;
    since_ns_.store(clock_->NowNs(), std::memory_order_relaxed);
    episodes_.fetch_add(1, std::memory_order_relaxed);
    on_.store(true, std::memory_order_relaxed);
    return true;
  }
  if (is_on && all_below) {
    total_ns_.fetch_add(clock_->NowNs() - since_ns_.load(std::memory_order_relaxed),
                        std::memory_order_relaxed);
    on_.store(false, std::memory_order_relaxed);
    return true;
  }
  return false;
}

std::int64_t BackpressureGauge::on_ns() const {
  std::int64_t total = total_ns_.load(std::memory_order_relaxed);
  // Read racily from other threads for a live view; good enough for metrics.
  if (on()) total += clock_->NowNs() - since_ns_.load(std::memory_order_relaxed);
  return total;
}

}  // namespace gale::stmgr
