#pragma once

// The one metrics model of a topology: what a task and a stream manager
// report (TaskSnapshot, StmgrSnapshot), their text form in metrics/task-N and
// metrics/stmgr-N, and the per-component sums every report is built from
// (Aggregate). `gale local`, `gale status` and `gale wait` all read through
// it.
//
// Text form: one `key=value` per line. Decoding ignores unknown keys (newer
// writers) and treats missing counters as 0 (older writers); a value that is
// not exactly a number in range makes the whole record malformed. Decoding
// never throws and reads at most kMaxEncodedBytes.
//
// Counters across restarts: a task's process may be replaced. The counter
// keys (`emitted`, ...) hold totals over every incarnation of the task;
// `base_<counter>` holds the part of earlier incarnations, so the current
// process counted `<counter> - base_<counter>`; `incarnation` counts the
// processes (1 for the first).
//
// Per-stream counts ride as numbered lines, names last (a stream id may hold
// spaces; a component id may not):
//   out_<i>=<emitted> <transferred> <stream>                  i = 1..
//   in_<i>=<executed> <acked> <failed> <component> <stream>   i = 1..
// They hold totals over every incarnation, like the counter keys; at most
// kMaxStreams of each. Readers that do not know them ignore them.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "metrics/histogram.h"

namespace gale::metrics {

inline constexpr std::size_t kMaxEncodedBytes = 1 << 20;

// The counters of task::TaskMetrics as plain numbers.
struct TaskCounters {
  std::uint64_t emitted = 0;
  std::uint64_t transferred = 0;
  std::uint64_t executed = 0;
  std::uint64_t acked = 0;
  std::uint64_t failed = 0;
  std::uint64_t timed_out = 0;
  std::uint64_t complete_ns = 0;
  std::uint64_t execute_ns = 0;
  std::uint64_t execute_samples = 0;
  std::uint64_t user_errors = 0;
  std::uint64_t misuse = 0;
  std::uint64_t throttled_ns = 0;
  std::uint64_t throttle_episodes = 0;
  std::uint64_t malformed = 0;  // batches and tuples from the wire that could not be used
  // Tuples or records no spout will replay: reported by the component
  // (ReportDropped) or failed by a bolt without a tuple tree (acking off).
  std::uint64_t dropped = 0;

  // Field-wise sum and (saturating) difference.
  TaskCounters Plus(const TaskCounters& other) const;
  TaskCounters Minus(const TaskCounters& other) const;
  bool operator==(const TaskCounters&) const = default;
};

// The counts of one stream of one task. Outputs (streams the task emits
// on) count emitted and transferred; inputs (a source component's stream the
// task subscribes to) count executed, acked and failed.
struct StreamCounters {
  std::uint64_t emitted = 0;
  std::uint64_t transferred = 0;
  std::uint64_t executed = 0;
  std::uint64_t acked = 0;
  std::uint64_t failed = 0;

  StreamCounters Plus(const StreamCounters& other) const;
  StreamCounters Minus(const StreamCounters& other) const;  // saturating
  bool operator==(const StreamCounters&) const = default;
};

struct StreamStats {
  std::string component;  // the emitting component (the task's own for outputs)
  std::string stream;
  StreamCounters counters;
  bool operator==(const StreamStats&) const = default;
};
// Streams per direction a snapshot carries; a topology's streams come from
// its plan, so this bounds only malformed input.
inline constexpr std::size_t kMaxStreams = 512;

// An exception thrown by user code (or an error it reported), as the task
// last saw it. A snapshot carries at most kMaxErrors of them, each message
// at most kMaxErrorChars.
struct UserError {
  std::int64_t time_ms = 0;  // Unix time
  std::string message;
  bool operator==(const UserError&) const = default;
};
inline constexpr std::size_t kMaxErrors = 5;
inline constexpr std::size_t kMaxErrorChars = 512;

struct TaskSnapshot {
  int task = 0;
  std::string component;
  std::string kind;  // "spout" or "bolt"
  int container = 0;
  int pid = 0;
  TaskCounters counters;  // over every incarnation of the task
  TaskCounters base;      // the part of earlier incarnations
  std::uint64_t incarnation = 1;
  std::int64_t pending = 0;  // spouts: trees in flight (a gauge)
  bool drained = false;      // spouts: exhausted with nothing pending
  bool active = false;
  bool throttled = false;  // held back by backpressure now
  std::uint64_t peak_rss_kb = 0;
  std::uint64_t rss_kb = 0;  // resident now
  std::uint64_t cpu_ms = 0;  // CPU time of the current process (user + system)
  std::vector<UserError> errors;  // the last ones, oldest first
  Histogram complete_latency;  // may be empty: writers add it when they can
  // Per stream, in the plan's order: every stream the component declares,
  // every stream it subscribes to (once per source component and stream).
  // Empty from older writers.
  std::vector<StreamStats> outputs;
  std::vector<StreamStats> inputs;
  // Data tuples waiting for the task: queued for it and, in a task process,
  // sent to it and not yet taken by its executor (a gauge). -1: unknown
  // (older writers).
  std::int64_t queue_depth = -1;

  // What the current process counted.
  TaskCounters current() const { return counters.Minus(base); }
};

std::string Encode(const TaskSnapshot& snapshot);
[[nodiscard]] Status Decode(std::string_view text, TaskSnapshot* snapshot);

// What a stream manager reports about its container.
struct StmgrSnapshot {
  int container = 0;
  int pid = 0;
  std::string endpoint;  // its advertised data endpoint
  std::string host;      // the host it runs on; empty from older versions
  std::uint64_t queued_bytes = 0;
  std::uint64_t routed_batches = 0;
  std::uint64_t dropped_batches = 0;
  std::uint64_t malformed_batches = 0;
  bool backpressure = false;         // this container holds the spouts now
  std::string backpressure_culprit;  // "component:task" or "stmgr:N", when holding
  std::uint64_t backpressure_episodes = 0;
  std::string last_backpressure_culprit;
  std::uint64_t backpressure_ns = 0;
  std::string remote_backpressure;  // comma-separated peers holding it
  std::string plan_version;
  std::uint64_t peak_rss_kb = 0;
  std::uint64_t rss_kb = 0;
  std::uint64_t cpu_ms = 0;
  std::uint64_t malformed_metrics = 0;  // metrics messages from instances refused
};

std::string Encode(const StmgrSnapshot& snapshot);
[[nodiscard]] Status Decode(std::string_view text, StmgrSnapshot* snapshot);

// A component as the packing lists it.
struct ComponentRef {
  std::string id;
  std::string kind;  // may be empty: then taken from the snapshots
  int tasks = 0;     // parallelism
};

struct ComponentMetrics {
  std::string id, kind;
  int tasks = 0;            // parallelism
  int tasks_reporting = 0;  // snapshots seen
  TaskCounters totals;      // over every incarnation
  TaskCounters current;     // current processes only
  std::uint64_t restarted_tasks = 0;  // snapshots with incarnation > 1
  std::int64_t pending = 0;
  bool drained = true;  // every reporting task drained
  double complete_mean_ms = 0;  // from complete_ns / acked
  double complete_p50_ms = 0, complete_p99_ms = 0, complete_p999_ms = 0;  // merged histograms
  double execute_mean_us = 0;
  double throttled_secs = 0;
};

struct BackpressureMetrics {
  bool active = false;
  std::string culprits;       // comma-separated, holding now
  std::string last_culprits;  // each stream manager's last episode
  std::uint64_t episodes = 0;
  double secs = 0;
  std::uint64_t queued_bytes = 0;
};

struct TopologyMetrics {
  std::vector<ComponentMetrics> components;  // in the order given
  BackpressureMetrics backpressure;
  // emitted + acked + failed over every task (not `executed`: tick tuples
  // keep it moving in an idle topology).
  std::uint64_t progress = 0;
  bool spouts_drained = true;
  int tasks_reporting = 0;
  int tasks_total = 0;
};

// Sums the snapshots per component. Snapshots of components not in
// `components` are ignored; stream managers are summed in the order given.
TopologyMetrics Aggregate(const std::vector<ComponentRef>& components,
                          const std::vector<TaskSnapshot>& tasks,
                          const std::vector<StmgrSnapshot>& stmgrs);

}  // namespace gale::metrics
