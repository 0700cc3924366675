#pragma once

// What `gale top` shows, computed from two successive reads of a topology's
// metrics (cli::Snapshot) and laid out as lines of text. Pure functions: no
// clock, no terminal, no state manager; top_command.cc does the reading and
// the drawing.
//
// Rates are the difference of two reads divided by the seconds between them.
// The counters are totals over every incarnation of a task, so a restarted
// task never makes a rate negative. Capacity is Storm's: the share of the
// interval a task spent executing, executed x mean execute latency / interval,
// and a component shows its busiest task's.

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "metrics/histogram.h"
#include "metrics/snapshot.h"
#include "topology_snapshot.h"

namespace gale::cli {

// (now - before) / secs; 0 when secs <= 0 or the counter went backwards.
double RatePerSec(std::uint64_t before, std::uint64_t now, double secs);

// executed x (execute_ns / execute_samples) / interval, from the differences
// of one task's counters over `secs`; nullopt when nothing was executed or
// no execute latency was sampled.
std::optional<double> Capacity(const metrics::TaskCounters& delta, double secs);

// The samples of `now` that `before` had not seen (bucket by bucket): the
// latencies recorded during the interval. `before` must be an earlier read of
// the same histogram; buckets that shrank (a new process) count from zero.
metrics::Histogram HistogramSince(const metrics::Histogram& before,
                                  const metrics::Histogram& now);

struct ComponentRow {
  std::string id, kind;
  int tasks = 0;       // parallelism
  int tasks_live = 0;  // tasks whose process is alive
  std::uint64_t restarts = 0;  // processes replaced, over the component's tasks
  double emitted_per_sec = 0, executed_per_sec = 0, acked_per_sec = 0, failed_per_sec = 0;
  std::uint64_t failed = 0, timed_out = 0;  // totals
  bool failing = false;  // failed or timed out during the interval
  std::optional<double> complete_mean_ms, complete_p99_ms;  // over the interval (spouts)
  std::optional<double> execute_mean_us;                    // over the interval
  std::optional<double> capacity;                           // the busiest task's
  double throttled_secs = 0;  // spouts: time held back by backpressure, total
  bool culprit = false;       // causes backpressure now
};

// One row per component of `now`, in its order. `live_tasks` holds the task
// ids whose process is alive.
std::vector<ComponentRow> ComputeRows(const Snapshot& before, const Snapshot& now, double secs,
                                      const std::set<int>& live_tasks);

struct FrameHeader {
  std::string name;
  bool running = false;  // the scheduler is alive
  bool active = true;
  std::optional<double> uptime_secs;  // since the scheduler started, when known
  int tasks_live = 0, tasks_total = 0;
  double interval_secs = 1;
  std::string clock;  // wall-clock time of the read, "HH:MM:SS"
  metrics::BackpressureMetrics backpressure;
  bool interactive = false;  // says "q quits"
};

struct FrameStyle {
  int width = 0;        // columns; 0 = no limit
  bool colour = false;  // ANSI SGR colours
};

// Capacity at or above this is shown as busy.
inline constexpr double kBusyCapacity = 0.8;

// The frame as lines without newlines, each at most `style.width` visible
// columns.
std::vector<std::string> FormatFrame(const FrameHeader& header,
                                     const std::vector<ComponentRow>& rows,
                                     const FrameStyle& style);

// "45s", "12m05s", "3h04m", "2d05h".
std::string FormatDuration(double secs);

// "0", "12.5", "987", "12.3k", "4.56M".
std::string FormatRate(double per_sec);

}  // namespace gale::cli
