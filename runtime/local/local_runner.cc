#include "local/local_runner.h"

#include <cinttypes>
#include <cstdio>
#include <latch>
#include <map>
#include <thread>

#include <unistd.h>

#include "common/log.h"
#include "common/process.h"
#include "task/executor.h"
#include "local/task_queue.h"
#include "metrics/snapshot.h"

namespace gale::local {
namespace {

using WallClock = std::chrono::steady_clock;  // run length and progress, not decisions
constexpr auto kPollInterval = std::chrono::milliseconds(20);

// Delivers a task's outgoing batches straight into the destination's queue.
class LocalOutbox : public task::Outbox {
 public:
  explicit LocalOutbox(std::vector<std::unique_ptr<TaskQueue>>* queues) : queues_(queues) {}
  void Send(std::int32_t dest_task, std::string batch) override {
    (*queues_)[static_cast<std::size_t>(dest_task)]->Push(std::move(batch));
  }

 private:
  std::vector<std::unique_ptr<TaskQueue>>* queues_;
};

struct Task {
  std::int32_t id = 0;
  task::TaskMetrics metrics;
  std::unique_ptr<task::Executor> executor;
  Status start_status;
  std::thread thread;
};

std::string Rate(double per_sec) {
  char buf[32];
  if (per_sec >= 1e6) {
    std::snprintf(buf, sizeof buf, "%.2fM", per_sec / 1e6);
  } else if (per_sec >= 1e3) {
    std::snprintf(buf, sizeof buf, "%.1fK", per_sec / 1e3);
  } else {
    std::snprintf(buf, sizeof buf, "%.0f", per_sec);
  }
  return buf;
}

// The tasks' metrics as the one metrics model sees them. The histograms are
// read only when `with_histograms` (after the executors stopped).
metrics::TopologyMetrics Take(const plan::TopologyPlan& plan,
                              const std::vector<std::unique_ptr<Task>>& tasks,
                              bool with_histograms) {
  std::vector<metrics::ComponentRef> components;
  for (const auto& c : plan.components()) {
    components.push_back(
        {c.id, c.kind == ComponentKind::kSpout ? "spout" : "bolt", c.parallelism});
  }
  std::vector<metrics::TaskSnapshot> snapshots;
  for (const auto& t : tasks) {
    const plan::ComponentInfo& c = plan.component_of(t->id);
    metrics::TaskSnapshot s;
    s.task = t->id;
    s.component = c.id;
    s.kind = c.kind == ComponentKind::kSpout ? "spout" : "bolt";
    s.counters = task::CountersOf(t->metrics);
    s.pending = t->metrics.pending.load(std::memory_order_relaxed);
    s.drained = t->executor->drained();
    if (with_histograms) s.complete_latency.Merge(t->metrics.complete_latency);
    snapshots.push_back(std::move(s));
  }
  return metrics::Aggregate(components, snapshots, {});
}

// Every task's snapshot, grouped by the plan's containers, for
// LocalOptions::on_metrics. `last_culprit` (by container) remembers the
// latest culprit of each container's backpressure.
std::vector<metrics::Report> Reports(const plan::TopologyPlan& plan,
                                     const std::vector<std::unique_ptr<Task>>& tasks,
                                     const std::vector<std::unique_ptr<TaskQueue>>& queues,
                                     const task::Signals& signals,
                                     std::map<int, std::string>* last_culprit) {
  std::vector<metrics::Report> reports(static_cast<std::size_t>(plan.workers()));
  const int pid = static_cast<int>(getpid());
  for (int c = 0; c < plan.workers(); ++c) {
    metrics::StmgrSnapshot& s = reports[static_cast<std::size_t>(c)].stmgr;
    s.container = c;
    s.pid = pid;
    s.endpoint = "local";
    if (c == 0) {
      s.peak_rss_kb = PeakRssKb();
      s.rss_kb = RssKb();
      s.cpu_ms = CpuMs();
    }
  }
  for (const auto& t : tasks) {
    const plan::ComponentInfo& c = plan.component_of(t->id);
    const int container = plan.container_of(t->id);
    metrics::TaskSnapshot s;
    s.task = t->id;
    s.component = c.id;
    s.kind = c.kind == ComponentKind::kSpout ? "spout" : "bolt";
    s.container = container;
    s.pid = pid;
    s.counters = task::CountersOf(t->metrics);
    s.pending = t->metrics.pending.load(std::memory_order_relaxed);
    s.drained = t->executor->drained();
    s.active = signals.active.load();
    s.throttled = signals.backpressure.load() > 0;
    s.errors = t->metrics.recent_errors.Get();
    s.complete_latency = t->metrics.complete_latency_published.Get();
    task::StreamsOf(plan, t->id, t->metrics, &s);
    metrics::Report& r = reports[static_cast<std::size_t>(container)];
    const TaskQueue& q = *queues[static_cast<std::size_t>(t->id)];
    s.queue_depth = static_cast<std::int64_t>(q.queued_tuples());
    r.stmgr.backpressure_ns += static_cast<std::uint64_t>(q.bp_ns());
    r.stmgr.backpressure_episodes += q.bp_episodes();
    if (q.in_backpressure() && !r.stmgr.backpressure) {
      r.stmgr.backpressure = true;
      r.stmgr.backpressure_culprit = c.id + ":" + std::to_string(t->id);
      (*last_culprit)[container] = r.stmgr.backpressure_culprit;
    }
    r.tasks.push_back(std::move(s));
  }
  for (metrics::Report& r : reports) {
    auto it = last_culprit->find(r.stmgr.container);
    if (it != last_culprit->end()) r.stmgr.last_backpressure_culprit = it->second;
  }
  return reports;
}

// Sums for the progress line: everything emitted and executed; acks,
// failures, timeouts and pending trees of the spouts.
struct Progress {
  std::uint64_t emitted = 0, executed = 0, acked = 0, failed = 0, timed_out = 0;
  std::uint64_t complete_ns = 0;
  std::int64_t pending = 0;
};

Progress ProgressOf(const metrics::TopologyMetrics& m) {
  Progress p;
  for (const metrics::ComponentMetrics& c : m.components) {
    p.emitted += c.totals.emitted;
    p.executed += c.totals.executed;
    if (c.kind != "spout") continue;
    p.acked += c.totals.acked;
    p.failed += c.totals.failed;
    p.timed_out += c.totals.timed_out;
    p.complete_ns += c.totals.complete_ns;
    p.pending += c.pending;
  }
  return p;
}

std::string Backpressure(const plan::TopologyPlan& plan,
                         const std::vector<std::unique_ptr<TaskQueue>>& queues) {
  std::string culprits;
  for (std::size_t id = 1; id < queues.size(); ++id) {
    if (queues[id]->in_backpressure()) {
      if (!culprits.empty()) culprits += ",";
      culprits += plan.component_of(static_cast<std::int32_t>(id)).id + ":" + std::to_string(id);
    }
  }
  return culprits.empty() ? "-" : culprits;
}

}  // namespace

Result<RunReport> RunLocal(std::shared_ptr<const plan::TopologyPlan> plan,
                           const LocalOptions& options) {
  task::Signals signals;
  InFlight in_flight;
  const plan::Watermarks& watermarks = plan->watermarks();

  std::vector<std::unique_ptr<TaskQueue>> queues(static_cast<std::size_t>(plan->max_task_id()) + 1);
  for (std::size_t id = 1; id < queues.size(); ++id) {
    queues[id] = std::make_unique<TaskQueue>(static_cast<std::int32_t>(id), &signals, &in_flight,
                                            watermarks);
  }
  // A spout sleeps until its inbox has input or a signal changes: the
  // runner wakes the spouts when it changes `active` or `stop`, and so does
  // the queue whose backpressure was the last to lift.
  std::vector<TaskQueue*> spout_queues;
  for (std::size_t id = 1; id < queues.size(); ++id) {
    if (plan->component_of(static_cast<std::int32_t>(id)).kind == ComponentKind::kSpout) {
      queues[id]->WakeOnSignals();
      spout_queues.push_back(queues[id].get());
    }
  }
  auto wake_spouts = [&spout_queues] {
    for (TaskQueue* q : spout_queues) q->Wake();
  };
  for (std::size_t id = 1; id < queues.size(); ++id) queues[id]->OnBackpressureLifted(wake_spouts);
  std::vector<std::unique_ptr<LocalOutbox>> outboxes;
  std::vector<std::unique_ptr<Task>> tasks;
  for (std::int32_t id = 1; id <= plan->max_task_id(); ++id) {
    auto task = std::make_unique<Task>();
    task->id = id;
    task->metrics.InitStreams(*plan);
    outboxes.push_back(std::make_unique<LocalOutbox>(&queues));
    task::ExecutorOptions eo;
    eo.task_id = id;
    eo.plan = plan;
    eo.outbox = outboxes.back().get();
    eo.inbox = queues[static_cast<std::size_t>(id)].get();
    eo.signals = &signals;
    eo.metrics = &task->metrics;
    task->executor = task::MakeExecutor(eo);
    tasks.push_back(std::move(task));
  }

  // Every task opens on its own thread; they run once all have opened.
  std::latch opened(static_cast<std::ptrdiff_t>(tasks.size()));
  std::latch go(1);
  for (auto& t : tasks) {
    Task* task = t.get();
    task->thread = std::thread([task, &opened, &go] {
      task->start_status = task->executor->Start();
      opened.count_down();
      go.wait();
      if (task->start_status.ok()) task->executor->Run();
    });
  }
  opened.wait();
  Status failed_start;
  for (auto& t : tasks) {
    if (!t->start_status.ok() && failed_start.ok()) failed_start = t->start_status;
  }
  if (!failed_start.ok()) {
    signals.stop.store(true);
    wake_spouts();
  }
  auto start = WallClock::now();
  go.count_down();

  RunReport report;
  std::map<int, std::string> last_culprit;
  auto publish = [&] {
    if (options.on_metrics) {
      options.on_metrics(Reports(*plan, tasks, queues, signals, &last_culprit));
    }
  };
  if (failed_start.ok()) {
    auto last_print = start;
    auto last_publish = start;
    publish();  // at once: every task is known from the start
    Progress last = ProgressOf(Take(*plan, tasks, false));
    bool stopping = false;
    auto stop_deadline = start;
    while (true) {
      std::this_thread::sleep_for(kPollInterval);
      auto now = WallClock::now();
      bool drained = in_flight.batches.load(std::memory_order_acquire) == 0;
      for (const auto& t : tasks) drained = drained && t->executor->drained();
      drained = drained && in_flight.batches.load(std::memory_order_acquire) == 0;
      if (!stopping && drained) {
        report.completed = true;
        break;
      }
      bool interrupted = options.interrupt != nullptr && options.interrupt->load();
      bool timed_out = options.duration_secs > 0 &&
                       now - start >= std::chrono::duration<double>(options.duration_secs);
      if (!stopping && (interrupted || timed_out)) {
        // Graceful stop: spouts stop emitting, in-flight tuples drain.
        stopping = true;
        signals.active.store(false);
        wake_spouts();
        stop_deadline = now + std::chrono::duration_cast<WallClock::duration>(
                                  std::chrono::duration<double>(options.drain_timeout_secs));
      }
      if (stopping) {
        bool quiet = true;
        for (const auto& t : tasks) quiet = quiet && t->executor->quiesced();
        quiet = quiet && in_flight.batches.load(std::memory_order_acquire) == 0;
        if (quiet || now >= stop_deadline) break;
      }
      if (now - last_publish >= std::chrono::seconds(1)) {
        publish();
        last_publish = now;
      }
      if (options.progress && now - last_print >= std::chrono::seconds(1)) {
        Progress cur = ProgressOf(Take(*plan, tasks, false));
        double dt = std::chrono::duration<double>(now - last_print).count();
        double secs = std::chrono::duration<double>(now - start).count();
        std::uint64_t acked_delta = cur.acked - last.acked;
        double lat_ms = acked_delta > 0 ? (cur.complete_ns - last.complete_ns) / 1e6 / acked_delta : 0;
        std::fprintf(stderr,
                     "[%5.0fs] emitted %s/s  executed %s/s  acked %" PRIu64 "  failed %" PRIu64
                     "  timed-out %" PRIu64 "  in-flight %" PRId64 "  latency %.2fms  BP %s\n",
                     secs, Rate((cur.emitted - last.emitted) / dt).c_str(),
                     Rate((cur.executed - last.executed) / dt).c_str(), cur.acked, cur.failed,
                     cur.timed_out, cur.pending, lat_ms, Backpressure(*plan, queues).c_str());
        last = cur;
        last_print = now;
      }
    }
  }
  signals.stop.store(true);
  wake_spouts();
  for (auto& t : tasks) t->thread.join();
  report.elapsed_secs = std::chrono::duration<double>(WallClock::now() - start).count();
  report.peak_rss_kb = PeakRssKb();
  if (!failed_start.ok()) return failed_start;
  publish();

  const metrics::TopologyMetrics m = Take(*plan, tasks, true);
  for (std::size_t i = 0; i < m.components.size(); ++i) {
    const metrics::ComponentMetrics& c = m.components[i];
    const plan::ComponentInfo& info = plan->components()[i];
    ComponentTotals totals;
    totals.id = c.id;
    totals.spout = c.kind == "spout";
    totals.tasks = c.tasks;
    totals.emitted = c.totals.emitted;
    totals.transferred = c.totals.transferred;
    totals.executed = c.totals.executed;
    totals.acked = c.totals.acked;
    totals.failed = c.totals.failed;
    totals.timed_out = c.totals.timed_out;
    totals.user_errors = c.totals.user_errors;
    totals.misuse = c.totals.misuse;
    totals.dropped = c.totals.dropped;
    totals.complete_mean_ms = c.complete_mean_ms;
    totals.complete_p50_ms = c.complete_p50_ms;
    totals.complete_p99_ms = c.complete_p99_ms;
    totals.complete_p999_ms = c.complete_p999_ms;
    totals.execute_mean_us = c.execute_mean_us;
    // Local mode has no stream managers: each task's queue holds backpressure.
    for (std::int32_t id : info.tasks) {
      totals.backpressure_secs += queues[static_cast<std::size_t>(id)]->bp_ns() / 1e9;
      totals.backpressure_episodes += queues[static_cast<std::size_t>(id)]->bp_episodes();
    }
    report.components.push_back(totals);
  }
  return report;
}

std::string FormatSummary(const RunReport& report) {
  std::string out;
  char line[640];
  std::snprintf(line, sizeof line,
                "%-16s %5s %12s %12s %12s %10s %8s %9s %9s %9s %9s %9s %9s %8s\n", "component",
                "tasks", "emitted", "transferred", "executed", "acked", "failed", "timed-out",
                "lat-mean", "lat-p50", "lat-p99", "lat-p999", "exec-mean", "bp-secs");
  out += line;
  auto ms = [](char* buf, std::size_t n, double v) { std::snprintf(buf, n, "%.2fms", v); };
  for (const auto& c : report.components) {
    char lat_mean[32] = "-", lat_p50[32] = "-", lat_p99[32] = "-", lat_p999[32] = "-",
         exec_mean[32] = "-";
    if (c.spout && c.acked > 0 && c.complete_mean_ms > 0) {
      ms(lat_mean, sizeof lat_mean, c.complete_mean_ms);
      ms(lat_p50, sizeof lat_p50, c.complete_p50_ms);
      ms(lat_p99, sizeof lat_p99, c.complete_p99_ms);
      ms(lat_p999, sizeof lat_p999, c.complete_p999_ms);
    }
    if (!c.spout && c.executed > 0 && c.execute_mean_us > 0) {
      std::snprintf(exec_mean, sizeof exec_mean, "%.2fus", c.execute_mean_us);
    }
    std::snprintf(line, sizeof line,
                  "%-16s %5d %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64
                  " %9" PRIu64 " %9s %9s %9s %9s %9s %8.2f\n",
                  c.id.c_str(), c.tasks, c.emitted, c.transferred, c.executed, c.acked, c.failed,
                  c.timed_out, lat_mean, lat_p50, lat_p99, lat_p999, exec_mean,
                  c.backpressure_secs);
    out += line;
  }
  std::string dropped;
  for (const auto& c : report.components) {
    if (c.dropped == 0) continue;
    dropped += (dropped.empty() ? "" : ", ") + c.id + " " + std::to_string(c.dropped);
  }
  if (!dropped.empty()) out += "dropped (not replayed; see the log for why): " + dropped + "\n";
  std::snprintf(line, sizeof line, "elapsed %.2fs, peak RSS %.1f MiB, %s\n", report.elapsed_secs,
                static_cast<double>(report.peak_rss_kb) / 1024,
                report.completed ? "completed (spouts exhausted, all tuples processed)"
                                 : "stopped");
  out += line;
  return out;
}

}  // namespace gale::local
