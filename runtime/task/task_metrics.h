#pragma once

#include <atomic>
#include <chrono>
#include <deque>
#include <cstdint>
#include <mutex>
#include <vector>

#include "metrics/counter.h"
#include "metrics/histogram.h"
#include "metrics/snapshot.h"
#include "plan/plan.h"

namespace gale::task {

// A copy of a histogram that one thread publishes now and then and any
// thread reads: live percentiles without locking the hot path.
class PublishedHistogram {
 public:
  void Publish(const metrics::Histogram& h) {
    std::lock_guard<std::mutex> lock(mu_);
    copy_ = h;
  }
  metrics::Histogram Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return copy_;
  }

 private:
  mutable std::mutex mu_;
  metrics::Histogram copy_;
};

// The last few errors of user code (metrics::kMaxErrors), for the topology
// master's API. Written by the executor thread, read by the reporter; an
// error is rare, so a lock is cheap here.
class RecentErrors {
 public:
  void Add(std::string message) {
    auto now = std::chrono::system_clock::now().time_since_epoch();
    if (message.size() > metrics::kMaxErrorChars) message.resize(metrics::kMaxErrorChars);
    std::lock_guard<std::mutex> lock(mu_);
    errors_.push_back(
        {std::chrono::duration_cast<std::chrono::milliseconds>(now).count(), std::move(message)});
    if (errors_.size() > metrics::kMaxErrors) errors_.pop_front();
  }
  std::vector<metrics::UserError> Get() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {errors_.begin(), errors_.end()};
  }

 private:
  mutable std::mutex mu_;
  std::deque<metrics::UserError> errors_;
};

// The counters of one stream of a task (metrics::StreamCounters), written
// by the task's executor thread.
struct StreamMetrics {
  metrics::Counter emitted;      // outputs
  metrics::Counter transferred;  // outputs
  metrics::Counter executed;     // inputs
  metrics::Counter acked;        // inputs (bolts)
  metrics::Counter failed;       // inputs (bolts)
};

// Counters of one task. Written only by the task's executor thread; the
// counters may be read by any thread at any time, the histograms only after
// the executor stopped (or through a snapshot taken on its thread).
struct TaskMetrics {
  metrics::Counter emitted;        // tuples handed to the collector
  metrics::Counter transferred;    // tuple copies sent to target tasks
  metrics::Counter executed;       // Execute calls (bolts)
  metrics::Counter acked;          // bolts: Ack calls; spouts: completed trees
  metrics::Counter failed;         // bolts: Fail calls; spouts: explicitly failed trees
  metrics::Counter timed_out;      // spouts: trees that timed out
  metrics::Counter complete_ns;    // spouts: sum of complete latencies of acked trees
  metrics::Counter execute_ns;     // bolts: sum of sampled Execute times
  metrics::Counter execute_samples;
  metrics::Counter user_errors;    // exceptions from user code and ReportError calls
  metrics::Counter misuse;         // double acks, acks of foreign tuples, ...
  metrics::Counter throttled_ns;   // spouts: time NextTuple was held back by backpressure
  metrics::Counter throttle_episodes;
  metrics::Counter malformed;      // bolts: malformed batches, tuples naming unknown tasks
  metrics::Counter dropped;        // data lost for good: ReportDropped, bolts' untracked Fails
  std::atomic<std::int64_t> pending{0};  // spouts: trees in flight (a gauge)
  metrics::Histogram complete_latency;
  metrics::Histogram execute_latency;
  // complete_latency as of about a second ago (spouts publish it).
  PublishedHistogram complete_latency_published;
  RecentErrors recent_errors;
  // Indexed by the plan's stream index (plan::StreamInfo::index, carried in
  // every tuple header): a per-stream count costs an array index, no lookup
  // by name. Sized by InitStreams before the executor and any reader start;
  // empty: nothing counted per stream.
  std::vector<StreamMetrics> streams;
  StreamMetrics tick;  // bolts: tick tuples executed (reported as __system:__tick)

  void InitStreams(const plan::TopologyPlan& plan) {
    streams = std::vector<StreamMetrics>(plan.streams().size());
  }
  // The stream's counters, or null for an index out of range (tick tuples).
  StreamMetrics* stream(std::uint32_t index) {
    return index < streams.size() ? &streams[index] : nullptr;
  }
};

// The counters as they are now; any thread.
inline metrics::TaskCounters CountersOf(const TaskMetrics& m) {
  metrics::TaskCounters c;
  c.emitted = m.emitted.Get();
  c.transferred = m.transferred.Get();
  c.executed = m.executed.Get();
  c.acked = m.acked.Get();
  c.failed = m.failed.Get();
  c.timed_out = m.timed_out.Get();
  c.complete_ns = m.complete_ns.Get();
  c.execute_ns = m.execute_ns.Get();
  c.execute_samples = m.execute_samples.Get();
  c.user_errors = m.user_errors.Get();
  c.misuse = m.misuse.Get();
  c.throttled_ns = m.throttled_ns.Get();
  c.throttle_episodes = m.throttle_episodes.Get();
  c.malformed = m.malformed.Get();
  c.dropped = m.dropped.Get();
  return c;
}

// Fills snapshot->outputs and ->inputs for `task_id` from `m`: every stream
// its component declares, then every stream it subscribes to, in the plan's
// order (zeros included, so the series are stable). Any thread.
void StreamsOf(const plan::TopologyPlan& plan, std::int32_t task_id, const TaskMetrics& m,
               metrics::TaskSnapshot* snapshot);

// Adds counts of an earlier incarnation of the task (matched by component
// and stream; streams the plan no longer has are left out).
void AddStreams(const metrics::TaskSnapshot& earlier, metrics::TaskSnapshot* snapshot);

}  // namespace gale::task
