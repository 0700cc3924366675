#pragma once

// Backpressure of one owner of queues: a stream manager (all its queues) or,
// in local mode, one task's queue. On as soon as a queue is above a high
// watermark; off again only when every queue is below both low watermarks
// (hysteresis). Counts episodes, the time spent on (including the current
// episode) and names the queue that caused the current and the last episode.
//
// Thread: Update/Set* are called by one thread at a time (the owner, or
// under the owner's lock); on(), episodes() and on_ns() may be read from any
// thread (a live, relaxed view for metrics). The culprits belong to the
// owner thread.

#include <atomic>
#include <cstdint>
#include <string>

#include "common/clock.h"
#include "plan/plan.h"

namespace gale::stmgr {

// Who filled a queue: a local task or the peer container a queue drains to.
// A small value, so the hot path never builds a string.
struct Culprit {
  enum class Kind : std::uint8_t { kNone, kTask, kContainer };
  Kind kind = Kind::kNone;
  std::int32_t id = 0;

  static Culprit Task(std::int32_t task) { return {Kind::kTask, task}; }
  static Culprit Container(int container) { return {Kind::kContainer, container}; }
  bool operator==(const Culprit&) const = default;
};

// "component:task" for a task, "stmgr:N" for a container, "" for none.
std::string CulpritName(const plan::TopologyPlan& plan, Culprit culprit);

class BackpressureGauge {
 public:
  // `clock` must outlive the gauge.
  BackpressureGauge(const plan::Watermarks& watermarks, const Clock* clock);

  const plan::Watermarks& watermarks() const { return watermarks_; }
  bool Above(std::size_t bytes, std::size_t tuples) const {
    return watermarks_.Above(bytes, tuples);
  }
  bool Below(std::size_t bytes, std::size_t tuples) const {
    return watermarks_.Below(bytes, tuples);
  }

  // The result of a scan over every queue: the first one above a high
  // watermark (kNone if none is) and whether all are below the low ones.
  // Turns backpressure on (naming `over`) or off; returns true if it changed.
  bool Update(Culprit over, bool all_below);
  // One queue that just grew: turns backpressure on if it is off and the
  // queue is above a high watermark. Cheap enough for every push.
  bool OnGrow(std::size_t bytes, std::size_t tuples, Culprit who) {
    if (on() || !watermarks_.Above(bytes, tuples)) return false;
    return Update(who, false);
  }

  bool on() const { return on_.load(std::memory_order_relaxed); }
  std::uint64_t episodes() const { return episodes_.load(std::memory_order_relaxed); }
  // Nanoseconds spent on, including the current episode.
  std::int64_t on_ns() const;
  // The culprit of the current episode (kNone while off) and of the last one.
  Culprit culprit() const { return on() ? last_culprit_ : Culprit{}; }
  Culprit last_culprit() const { return last_culprit_; }

 private:
  plan::Watermarks watermarks_;
  const Clock* clock_;
  std::atomic<bool> on_{false};
  std::atomic<std::uint64_t> episodes_{0};
  std::atomic<std::int64_t> since_ns_{0};
  std::atomic<std::int64_t> total_ns_{0};
  Culprit last_culprit_;
};

}  // namespace gale::stmgr
