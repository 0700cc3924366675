#include "tmaster/exposition.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <vector>

namespace gale::tmaster {
namespace {

using nlohmann::json;

// Upper bounds of the complete-latency histogram's buckets, in seconds.
constexpr double kLatencyBounds[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                     0.25,  0.5,    1,     2.5,  5,     10,   30};

std::string Number(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // The shortest text that reads back as the same double.
  char buf[64];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::string Number(std::uint64_t v) { return std::to_string(v); }

// Writes one metric family: HELP, TYPE, then its samples.
class Family {
 public:
  Family(std::string* out, const std::string& name, const char* type, const char* help)
      : out_(out), name_(name) {
    *out_ += "# HELP " + name + " " + help + "\n";
    *out_ += "# TYPE " + name + " " + type + "\n";
  }
  void Sample(const std::string& labels, const std::string& value,
              const std::string& suffix = "") {
    *out_ += name_ + suffix + "{" + labels + "} " + value + "\n";
  }

 private:
  std::string* out_;
  std::string name_;
};

std::string Label(const char* key, const std::string& value) {
  return std::string(key) + "=\"" + EscapeLabel(value) + "\"";
}

// The host a container runs on: its stream manager's, as it reports it;
// the master's own until a report says (and for reports of older versions).
const std::string& HostOf(const TopologyView& v, int container) {
  auto it = v.stmgrs.find(container);
  if (it == v.stmgrs.end() || it->second.snapshot.host.empty()) return v.host;
  return it->second.snapshot.host;
}

std::string TaskLabels(const TopologyView& v, const metrics::TaskSnapshot& t) {
  return Label("topology", v.topology) + "," + Label("component", t.component) + "," +
         Label("task", std::to_string(t.task)) + "," +
         Label("container", std::to_string(t.container)) + "," +
         Label("host", HostOf(v, t.container));
}

std::string StmgrLabels(const TopologyView& v, const metrics::StmgrSnapshot& s) {
  return Label("topology", v.topology) + "," + Label("container", std::to_string(s.container)) +
         "," + Label("host", HostOf(v, s.container));
}

using CounterField = std::uint64_t metrics::TaskCounters::*;

json Counts(const metrics::TaskCounters& c) {
  return json{{"emitted", c.emitted},     {"transferred", c.transferred},
              {"executed", c.executed},   {"acked", c.acked},
              {"failed", c.failed},       {"timed_out", c.timed_out},
              {"user_errors", c.user_errors}, {"dropped", c.dropped}};
}

json WindowJson(const WindowStats& w) {
  json j = Counts(w.delta);
  j["window_secs"] = w.secs;
  j["executed_per_sec"] = w.rate(w.delta.executed);
  j["emitted_per_sec"] = w.rate(w.delta.emitted);
  j["acked_per_sec"] = w.rate(w.delta.acked);
  j["execute_latency_ms"] = w.execute_mean_secs() * 1e3;
  j["complete_latency_ms"] = w.complete_mean_secs() * 1e3;
  j["capacity"] = w.capacity();
  return j;
}

const char* GroupingName(GroupingType t) {
  switch (t) {
    case GroupingType::kShuffle: return "shuffle";
    case GroupingType::kFields: return "fields";
    case GroupingType::kAll: return "all";
    case GroupingType::kGlobal: return "global";
    case GroupingType::kNone: return "none";
    case GroupingType::kDirect: return "direct";
    case GroupingType::kLocalOrShuffle: return "local_or_shuffle";
    case GroupingType::kCustom: return "custom";
  }
  return "unknown";
}

}  // namespace

std::string DumpJson(const nlohmann::json& j) {
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string EscapeLabel(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string PrometheusText(const TopologyView& v) {
  std::string out;
  struct CounterMetric {
    const char* name;
    CounterField field;
    const char* help;
  };
  static constexpr CounterMetric kCounters[] = {
      {"gale_tuples_emitted_total", &metrics::TaskCounters::emitted,
       "Tuples handed to the collector by the task."},
      {"gale_tuples_transferred_total", &metrics::TaskCounters::transferred,
       "Tuple copies sent to target tasks."},
      {"gale_tuples_executed_total", &metrics::TaskCounters::executed,
       "Tuples a bolt task executed."},
      {"gale_tuples_acked_total", &metrics::TaskCounters::acked,
       "Bolts: tuples acked; spouts: tuple trees completed."},
      {"gale_tuples_failed_total", &metrics::TaskCounters::failed,
       "Bolts: tuples failed; spouts: tuple trees failed."},
      {"gale_tuples_timed_out_total", &metrics::TaskCounters::timed_out,
       "Spouts: tuple trees that timed out."},
      {"gale_tuples_dropped_total", &metrics::TaskCounters::dropped,
       "Tuples no spout will replay."},
      {"gale_user_errors_total", &metrics::TaskCounters::user_errors,
       "Exceptions thrown by user code and errors it reported."},
      {"gale_malformed_input_total", &metrics::TaskCounters::malformed,
       "Batches and tuples from the wire the task could not use."},
  };
  for (const CounterMetric& m : kCounters) {
    Family f(&out, m.name, "counter", m.help);
    for (const auto& [task, t] : v.tasks) {
      f.Sample(TaskLabels(v, t.snapshot), Number(t.snapshot.counters.*m.field));
    }
  }
  {
    Family f(&out, "gale_complete_latency_seconds", "histogram",
             "Spouts: time from emit to the tuple tree's completion.");
    for (const auto& [task, t] : v.tasks) {
      if (t.snapshot.kind != "spout") continue;
      const metrics::Histogram& h = t.snapshot.complete_latency;
      std::vector<std::uint64_t> cumulative(std::size(kLatencyBounds), 0);
      h.ForEachBucket([&](std::size_t index, std::uint64_t count) {
        double secs = static_cast<double>(metrics::Histogram::BucketValue(index)) / 1e9;
        for (std::size_t b = 0; b < std::size(kLatencyBounds); ++b) {
          if (secs <= kLatencyBounds[b]) cumulative[b] += count;
        }
      });
      const std::string labels = TaskLabels(v, t.snapshot);
      for (std::size_t b = 0; b < std::size(kLatencyBounds); ++b) {
        f.Sample(labels + "," + Label("le", Number(kLatencyBounds[b])), Number(cumulative[b]),
                 "_bucket");
      }
      f.Sample(labels + ",le=\"+Inf\"", Number(h.Count()), "_bucket");
      f.Sample(labels, Number(h.Mean() * static_cast<double>(h.Count()) / 1e9), "_sum");
      f.Sample(labels, Number(h.Count()), "_count");
    }
  }
  {
    Family f(&out, "gale_execute_latency_seconds", "summary",
             "Bolts: time spent in Execute, over the sampled calls.");
    for (const auto& [task, t] : v.tasks) {
      if (t.snapshot.kind != "bolt") continue;
      const std::string labels = TaskLabels(v, t.snapshot);
      f.Sample(labels, Number(static_cast<double>(t.snapshot.counters.execute_ns) / 1e9), "_sum");
      f.Sample(labels, Number(t.snapshot.counters.execute_samples), "_count");
    }
  }
  {
    Family f(&out, "gale_capacity", "gauge",
             "Bolts: executed x mean execute latency / the last minute; near 1 is saturated.");
    for (const auto& [task, t] : v.tasks) {
      if (t.snapshot.kind != "bolt") continue;
      f.Sample(TaskLabels(v, t.snapshot), Number(t.windows[0].capacity()));
    }
  }
  {
    Family f(&out, "gale_spout_throttled_seconds_total", "counter",
             "Spouts: time held back by backpressure.");
    for (const auto& [task, t] : v.tasks) {
      if (t.snapshot.kind != "spout") continue;
      f.Sample(TaskLabels(v, t.snapshot),
               Number(static_cast<double>(t.snapshot.counters.throttled_ns) / 1e9));
    }
  }
  {
    Family f(&out, "gale_pending_tuple_trees", "gauge", "Spouts: tuple trees in flight.");
    for (const auto& [task, t] : v.tasks) {
      if (t.snapshot.kind != "spout") continue;
      f.Sample(TaskLabels(v, t.snapshot), std::to_string(t.snapshot.pending));
    }
  }
  {
    Family f(&out, "gale_process_resident_memory_bytes", "gauge",
             "Resident memory of a task's or a stream manager's process.");
    for (const auto& [task, t] : v.tasks) {
      f.Sample(TaskLabels(v, t.snapshot) + "," + Label("role", "task"),
               Number(t.snapshot.rss_kb * 1024));
    }
    for (const auto& [c, s] : v.stmgrs) {
      f.Sample(StmgrLabels(v, s.snapshot) + "," + Label("role", "stmgr"),
               Number(s.snapshot.rss_kb * 1024));
    }
  }
  {
    Family f(&out, "gale_process_cpu_seconds_total", "counter",
             "CPU time (user and system) of a task's or a stream manager's current process.");
    for (const auto& [task, t] : v.tasks) {
      f.Sample(TaskLabels(v, t.snapshot) + "," + Label("role", "task"),
               Number(static_cast<double>(t.snapshot.cpu_ms) / 1e3));
    }
    for (const auto& [c, s] : v.stmgrs) {
      f.Sample(StmgrLabels(v, s.snapshot) + "," + Label("role", "stmgr"),
               Number(static_cast<double>(s.snapshot.cpu_ms) / 1e3));
    }
  }
  {
    Family f(&out, "gale_task_restarts_total", "counter",
             "Times a task's process was replaced.");
    for (const auto& [task, t] : v.tasks) {
      f.Sample(TaskLabels(v, t.snapshot),
               Number(t.snapshot.incarnation > 0 ? t.snapshot.incarnation - 1 : 0));
    }
  }
  {
    Family f(&out, "gale_backpressure_seconds_total", "counter",
             "Time a container's stream manager held the spouts back.");
    for (const auto& [c, s] : v.stmgrs) {
      f.Sample(StmgrLabels(v, s.snapshot),
               Number(static_cast<double>(s.snapshot.backpressure_ns) / 1e9));
    }
  }
  {
    Family f(&out, "gale_backpressure_episodes_total", "counter",
             "Times a container's stream manager started backpressure.");
    for (const auto& [c, s] : v.stmgrs) {
      f.Sample(StmgrLabels(v, s.snapshot), Number(s.snapshot.backpressure_episodes));
    }
  }
  {
    Family f(&out, "gale_backpressure_active", "gauge",
             "1 while a container's stream manager holds the spouts back; culprit names "
             "the slow task (component:task) or peer (stmgr:N).");
    for (const auto& [c, s] : v.stmgrs) {
      f.Sample(StmgrLabels(v, s.snapshot) + "," + Label("culprit", s.snapshot.backpressure_culprit),
               s.snapshot.backpressure ? "1" : "0");
    }
  }
  {
    Family f(&out, "gale_queued_bytes", "gauge",
             "Bytes queued in a container's stream manager.");
    for (const auto& [c, s] : v.stmgrs) {
      f.Sample(StmgrLabels(v, s.snapshot), Number(s.snapshot.queued_bytes));
    }
  }
  {
    Family f(&out, "gale_metrics_reports_malformed_total", "counter",
             "Metrics reports the topology master refused.");
    f.Sample(Label("topology", v.topology), Number(v.malformed_reports));
  }
  {
    Family f(&out, "gale_topology_active", "gauge", "1 while the topology is active.");
    f.Sample(Label("topology", v.topology), v.active ? "1" : "0");
  }
  return out;
}

json TopologySummaryJson(const TopologyView& v) {
  int reporting = static_cast<int>(v.tasks.size());
  return json{{"name", v.topology},
              {"active", v.active},
              {"host", v.host},
              {"containers", v.plan->workers()},
              {"tasks", v.plan->max_task_id()},
              {"tasks_reporting", reporting}};
}

json TopologyJson(const TopologyView& v) {
  const plan::TopologyPlan& plan = *v.plan;
  json j = TopologySummaryJson(v);
  if (!v.master_endpoint.empty()) {
    j["master"] = {{"host", v.host}, {"endpoint", v.master_endpoint}};
  }
  // The logical plan.
  json components = json::array();
  for (const plan::ComponentInfo& c : plan.components()) {
    components.push_back({{"id", c.id},
                          {"kind", c.kind == ComponentKind::kSpout ? "spout" : "bolt"},
                          {"class", c.class_name},
                          {"parallelism", c.parallelism},
                          {"tasks", c.tasks}});
  }
  json streams = json::array();
  for (const plan::StreamInfo& s : plan.streams()) {
    for (const plan::Subscription& sub : s.subscribers) {
      json e{{"from", s.meta.component},
             {"to", plan.components()[static_cast<std::size_t>(sub.target_component)].id},
             {"stream", s.meta.stream},
             {"grouping", GroupingName(sub.grouping.type)}};
      if (!sub.grouping.fields.empty()) e["fields"] = sub.grouping.fields;
      streams.push_back(std::move(e));
    }
  }
  j["logical_plan"] = {{"components", components}, {"streams", streams}};
  // The physical plan.
  json containers = json::array();
  for (int c = 0; c < plan.workers(); ++c) {
    json cj{{"container", c}, {"host", HostOf(v, c)}, {"tasks", plan.TasksIn(c)}};
    auto s = v.stmgrs.find(c);
    if (s != v.stmgrs.end()) {
      cj["stmgr"] = {{"pid", s->second.snapshot.pid},
                     {"host", HostOf(v, c)},
                     {"endpoint", s->second.snapshot.endpoint},
                     {"resident_memory_bytes", s->second.snapshot.rss_kb * 1024},
                     {"cpu_seconds", static_cast<double>(s->second.snapshot.cpu_ms) / 1e3},
                     {"queued_bytes", s->second.snapshot.queued_bytes},
                     {"report_age_ms", s->second.age_ms}};
    }
    containers.push_back(std::move(cj));
  }
  json tasks = json::array();
  json exceptions = json::array();
  std::map<std::string, std::array<WindowStats, kWindows>> per_component;
  for (std::int32_t id = 1; id <= plan.max_task_id(); ++id) {
    const plan::ComponentInfo& c = plan.component_of(id);
    json tj{{"task", id},
            {"component", c.id},
            {"container", plan.container_of(id)},
            {"host", HostOf(v, plan.container_of(id))}};
    auto it = v.tasks.find(id);
    if (it != v.tasks.end()) {
      const metrics::TaskSnapshot& s = it->second.snapshot;
      tj["pid"] = s.pid;
      tj["restarts"] = s.incarnation > 0 ? s.incarnation - 1 : 0;
      tj["resident_memory_bytes"] = s.rss_kb * 1024;
      tj["cpu_seconds"] = static_cast<double>(s.cpu_ms) / 1e3;
      tj["throttled"] = s.throttled;
      tj["pending"] = s.pending;
      tj["report_age_ms"] = it->second.age_ms;
      json windows;
      auto& sums = per_component[c.id];
      for (std::size_t w = 0; w < kWindows; ++w) {
        const WindowStats& ws = it->second.windows[w];
        windows[ws.name] = WindowJson(ws);
        sums[w].name = ws.name;
        sums[w].secs = std::max(sums[w].secs, ws.secs);
        sums[w].delta = sums[w].delta.Plus(ws.delta);
      }
      tj["metrics"] = windows;
      for (const metrics::UserError& e : s.errors) {
        exceptions.push_back(
            {{"time_ms", e.time_ms}, {"task", id}, {"component", c.id}, {"message", e.message}});
      }
    }
    tasks.push_back(std::move(tj));
  }
  j["physical_plan"] = {{"containers", containers}, {"tasks", tasks}};
  json cm = json::object();
  for (const plan::ComponentInfo& c : plan.components()) {
    json windows = json::object();
    auto it = per_component.find(c.id);
    if (it != per_component.end()) {
      for (const WindowStats& ws : it->second) {
        json w = WindowJson(ws);
        // Capacity of a component: its busiest task's share of time is what
        // matters; the sum over tasks can exceed 1.
        double busiest = 0;
        for (std::int32_t id : c.tasks) {
          auto t = v.tasks.find(id);
          if (t == v.tasks.end()) continue;
          for (const WindowStats& tw : t->second.windows) {
            if (tw.name == ws.name) busiest = std::max(busiest, tw.capacity());
          }
        }
        w["capacity"] = busiest;
        windows[ws.name] = std::move(w);
      }
    }
    cm[c.id] = {{"kind", c.kind == ComponentKind::kSpout ? "spout" : "bolt"},
                {"parallelism", c.parallelism},
                {"metrics", windows}};
  }
  j["components"] = cm;
  // Backpressure, with its culprit.
  json bp{{"active", false}, {"culprits", json::array()}, {"seconds", 0.0}, {"episodes", 0}};
  double secs = 0;
  std::uint64_t episodes = 0;
  json containers_bp = json::array();
  for (const auto& [c, s] : v.stmgrs) {
    secs += static_cast<double>(s.snapshot.backpressure_ns) / 1e9;
    episodes += s.snapshot.backpressure_episodes;
    if (s.snapshot.backpressure) {
      bp["active"] = true;
      bp["culprits"].push_back(s.snapshot.backpressure_culprit);
    }
    containers_bp.push_back({{"container", c},
                             {"active", s.snapshot.backpressure},
                             {"culprit", s.snapshot.backpressure_culprit},
                             {"last_culprit", s.snapshot.last_backpressure_culprit},
                             {"seconds", static_cast<double>(s.snapshot.backpressure_ns) / 1e9},
                             {"episodes", s.snapshot.backpressure_episodes}});
  }
  bp["seconds"] = secs;
  bp["episodes"] = episodes;
  bp["containers"] = containers_bp;
  j["backpressure"] = bp;
  j["exceptions"] = exceptions;
  j["malformed_reports"] = v.malformed_reports;
  return j;
}

}  // namespace gale::tmaster
