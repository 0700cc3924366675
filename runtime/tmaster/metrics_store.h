#pragma once

// What the topology master knows of its topology's metrics: the latest
// snapshot of every task and stream manager (from the stream managers'
// reports, metrics/report.h) and, sampled every few seconds per task, enough history
// to give counts over the last minute and the last ten minutes.
//
// Thread-safety: every method locks; the master's loop adds reports, the
// HTTP threads take views.

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "metrics/report.h"
#include "metrics/snapshot.h"
#include "plan/plan.h"

namespace gale::tmaster {

// Counts over a window of time.
struct WindowStats {
  std::string name;  // "1m", "10m", "all"
  double secs = 0;   // the time the counts cover (shorter while the master is young)
  metrics::TaskCounters delta;
  // The same window per stream (in the snapshot's order; see
  // metrics::TaskSnapshot::outputs and inputs).
  std::vector<metrics::StreamStats> outputs;
  std::vector<metrics::StreamStats> inputs;
  // Storm's capacity: executed × mean execute latency ÷ window; near 1 means
  // the task is busy all the time.
  double capacity() const;
  double execute_mean_secs() const;
  double complete_mean_secs() const;
  double rate(std::uint64_t count) const { return secs > 0 ? static_cast<double>(count) / secs : 0; }
};
inline constexpr std::size_t kWindows = 3;

struct TaskView {
  metrics::TaskSnapshot snapshot;
  std::array<WindowStats, kWindows> windows;
  std::int64_t age_ms = 0;  // since its last report reached the master
};

struct StmgrView {
  metrics::StmgrSnapshot snapshot;
  std::int64_t age_ms = 0;
};

// A copy of everything the endpoints render.
struct TopologyView {
  std::string topology;
  std::shared_ptr<const plan::TopologyPlan> plan;
  std::string host;             // the master's (or `gale local`'s) host
  std::string master_endpoint;  // the master's advertised control endpoint; "" in local mode
  bool active = true;
  std::map<int, TaskView> tasks;
  std::map<int, StmgrView> stmgrs;
  std::uint64_t malformed_reports = 0;
};

class MetricsStore {
 public:
  MetricsStore(std::string topology, std::shared_ptr<const plan::TopologyPlan> plan,
               std::string host);

  // A report from the stream manager of `container`; snapshots of tasks
  // that are not in that container (per the plan) are left out and counted
  // as malformed.
  void Add(int container, const metrics::Report& report, std::int64_t now_ns);
  void CountMalformed();
  void SetActive(bool active);
  void SetMasterEndpoint(std::string endpoint);

  TopologyView View(std::int64_t now_ns) const;

 private:
  struct Sample {
    std::int64_t ns = 0;
    metrics::TaskCounters counters;
    std::vector<metrics::StreamStats> outputs, inputs;
  };

  const std::string topology_;
  const std::shared_ptr<const plan::TopologyPlan> plan_;
  const std::string host_;
  mutable std::mutex mu_;
  bool active_ = true;
  std::string master_endpoint_;
  std::map<int, std::pair<metrics::TaskSnapshot, std::int64_t>> tasks_;  // and when received
  std::map<int, std::pair<metrics::StmgrSnapshot, std::int64_t>> stmgrs_;
  std::map<int, std::deque<Sample>> history_;  // by task, oldest first, about ten minutes
  std::map<int, std::int64_t> first_seen_ns_;  // by task
  std::uint64_t malformed_ = 0;
};

}  // namespace gale::tmaster
