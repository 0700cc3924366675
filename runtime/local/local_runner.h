#pragma once

// `gale local`: every task of a topology as a thread of this process, wired
// by in-memory queues, with the same executors, emitter, groupings and
// acking as the multi-process runtime.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "gale/topology.h"
#include "metrics/report.h"
#include "plan/plan.h"

namespace gale::local {

struct LocalOptions {
  double duration_secs = 0;       // 0: run until the spouts are exhausted (or stopped)
  bool progress = true;           // one progress line per second on stderr
  bool summary = true;            // per-component table on stdout at the end
  double drain_timeout_secs = 10; // how long a stop waits for in-flight tuples
  // Set by a signal handler to stop gracefully; polled.
  const std::atomic<bool>* interrupt = nullptr;
  // When set: called on the runner's thread as the tasks start, about
  // once a second while the topology runs, and once after it stopped, with
  // every task's snapshot in the model the topology master keeps (one
  // report per container of the plan). All tasks are threads of this
  // process: its pid, memory and CPU are in container 0's stream manager
  // snapshot, the tasks report none.
  // Backpressure: each container's snapshot holds its tasks' queues.
  std::function<void(const std::vector<metrics::Report>&)> on_metrics;
};

// Totals of one component after a run.
struct ComponentTotals {
  std::string id;
  bool spout = false;
  int tasks = 0;
  std::uint64_t emitted = 0, transferred = 0, executed = 0, acked = 0, failed = 0,
                timed_out = 0, user_errors = 0, misuse = 0, dropped = 0;
  double complete_mean_ms = 0, complete_p50_ms = 0, complete_p99_ms = 0,
         complete_p999_ms = 0;
  double execute_mean_us = 0;
  double backpressure_secs = 0;
  std::uint64_t backpressure_episodes = 0;
};

struct RunReport {
  double elapsed_secs = 0;
  bool completed = false;  // every spout exhausted and every tree done
  std::uint64_t peak_rss_kb = 0;
  std::vector<ComponentTotals> components;
};

// Runs the topology to completion, duration or interrupt. A task failing to
// start returns its error (kUserCode) after stopping the others.
Result<RunReport> RunLocal(std::shared_ptr<const plan::TopologyPlan> plan,
                           const LocalOptions& options);

// The summary table printed at the end of a run.
std::string FormatSummary(const RunReport& report);

}  // namespace gale::local
