#include "tmaster/exposition.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>
#include <string_view>
#include <utility>
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
using StreamField = std::uint64_t metrics::StreamCounters::*;
enum class Side { kOutput, kInput };

// Outputs: the stream; inputs: the source component and its stream.
std::string StreamLabels(bool input, std::string_view component, std::string_view stream) {
  std::string out;
  if (input) out += "," + Label("source_component", std::string(component));
  out += "," + Label("stream", std::string(stream));
  return out;
}

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

json OutputJson(const metrics::StreamCounters& c, double secs) {
  auto rate = [&](std::uint64_t n) { return secs > 0 ? static_cast<double>(n) / secs : 0.0; };
  return json{{"emitted", c.emitted},
              {"transferred", c.transferred},
              {"emitted_per_sec", rate(c.emitted)},
              {"transferred_per_sec", rate(c.transferred)}};
}

json InputJson(const metrics::StreamCounters& c, double secs) {
  auto rate = [&](std::uint64_t n) { return secs > 0 ? static_cast<double>(n) / secs : 0.0; };
  return json{{"executed", c.executed},
              {"acked", c.acked},
              {"failed", c.failed},
              {"executed_per_sec", rate(c.executed)},
              {"acked_per_sec", rate(c.acked)},
              {"failed_per_sec", rate(c.failed)}};
}

// Per-stream counts over each window, summed over `windows` (one array per
// task): {"outputs": [{"stream", "metrics": {"1m": ...}}], "inputs":
// [{"component", "stream", "metrics": ...}]}. The window's length is the
// longest of the tasks'.
json StreamsJson(const std::vector<const std::array<WindowStats, kWindows>*>& windows) {
  using Key = std::pair<std::string, std::string>;
  struct Sums {
    std::vector<Key> order;
    std::map<Key, std::array<metrics::StreamCounters, kWindows>> counts;
  };
  Sums outputs, inputs;
  std::array<double, kWindows> secs{};
  std::array<std::string, kWindows> names;
  for (const auto* task : windows) {
    for (std::size_t w = 0; w < kWindows; ++w) {
      const WindowStats& ws = (*task)[w];
      names[w] = ws.name;
      secs[w] = std::max(secs[w], ws.secs);
      for (auto [list, sums] : {std::pair{&ws.outputs, &outputs}, std::pair{&ws.inputs, &inputs}}) {
        for (const metrics::StreamStats& st : *list) {
          Key key{st.component, st.stream};
          auto [it, added] = sums->counts.try_emplace(key);
          if (added) sums->order.push_back(key);
          it->second[w] = it->second[w].Plus(st.counters);
        }
      }
    }
  }
  json out{{"outputs", json::array()}, {"inputs", json::array()}};
  for (const Key& key : outputs.order) {
    json m = json::object();
    for (std::size_t w = 0; w < kWindows; ++w) {
      if (!names[w].empty()) m[names[w]] = OutputJson(outputs.counts[key][w], secs[w]);
    }
    out["outputs"].push_back({{"stream", key.second}, {"metrics", m}});
  }
  for (const Key& key : inputs.order) {
    json m = json::object();
    for (std::size_t w = 0; w < kWindows; ++w) {
      if (!names[w].empty()) m[names[w]] = InputJson(inputs.counts[key][w], secs[w]);
    }
    out["inputs"].push_back({{"component", key.first}, {"stream", key.second}, {"metrics", m}});
  }
  return out;
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
    StreamField stream_field;  // null: per task only
    Side side;
    const char* help;
  };
  static constexpr CounterMetric kCounters[] = {
      {"gale_tuples_emitted_total", &metrics::TaskCounters::emitted,
       &metrics::StreamCounters::emitted, Side::kOutput,
       "Tuples handed to the collector by the task, per stream it emitted on."},
      {"gale_tuples_transferred_total", &metrics::TaskCounters::transferred,
       &metrics::StreamCounters::transferred, Side::kOutput,
       "Tuple copies sent to target tasks, per stream."},
      {"gale_tuples_executed_total", &metrics::TaskCounters::executed,
       &metrics::StreamCounters::executed, Side::kInput,
       "Tuples a bolt task executed, per source component and stream (ticks as "
       "__system:__tick)."},
      {"gale_tuples_acked_total", &metrics::TaskCounters::acked, &metrics::StreamCounters::acked,
       Side::kInput,
       "Bolts: tuples acked, per source component and stream; spouts: tuple trees completed "
       "(empty stream labels)."},
      {"gale_tuples_failed_total", &metrics::TaskCounters::failed,
       &metrics::StreamCounters::failed, Side::kInput,
       "Bolts: tuples failed, per source component and stream; spouts: tuple trees failed "
       "(empty stream labels)."},
      {"gale_tuples_timed_out_total", &metrics::TaskCounters::timed_out, nullptr, Side::kOutput,
       "Spouts: tuple trees that timed out."},
      {"gale_tuples_dropped_total", &metrics::TaskCounters::dropped, nullptr, Side::kOutput,
       "Tuples no spout will replay."},
      {"gale_user_errors_total", &metrics::TaskCounters::user_errors, nullptr, Side::kOutput,
       "Exceptions thrown by user code and errors it reported."},
      {"gale_malformed_input_total", &metrics::TaskCounters::malformed, nullptr, Side::kOutput,
       "Batches and tuples from the wire the task could not use."},
  };
  for (const CounterMetric& m : kCounters) {
    Family f(&out, m.name, "counter", m.help);
    for (const auto& [task, t] : v.tasks) {
      const metrics::TaskSnapshot& s = t.snapshot;
      const std::string labels = TaskLabels(v, s);
      if (m.stream_field == nullptr) {
        f.Sample(labels, Number(s.counters.*m.field));
        continue;
      }
      const bool input = m.side == Side::kInput;
      const bool spout = s.kind == "spout";
      if (input && spout && m.field == &metrics::TaskCounters::executed) continue;
      const bool has_streams = !s.inputs.empty() || !s.outputs.empty();
      if (!input && has_streams && s.outputs.empty()) continue;  // declares no stream
      if ((input && spout) || !has_streams) {
        // Spouts count trees, not tuples of an input stream; a snapshot of
        // an older writer has no per-stream counts. One sample with empty
        // stream labels, so that every sample of a family has the same
        // label names.
        f.Sample(labels + StreamLabels(input, "", ""), Number(s.counters.*m.field));
        continue;
      }
      std::set<std::pair<std::string_view, std::string_view>> seen;  // once per stream
      for (const metrics::StreamStats& st : input ? s.inputs : s.outputs) {
        if (!seen.insert({st.component, st.stream}).second) continue;
        f.Sample(labels + StreamLabels(input, st.component, st.stream),
                 Number(st.counters.*m.stream_field));
      }
    }
  }
  {
    Family f(&out, "gale_task_queue_depth", "gauge",
             "Data tuples waiting for the task: queued for it and, in a task process, sent to "
             "it and not yet taken by its executor.");
    for (const auto& [task, t] : v.tasks) {
      if (t.snapshot.queue_depth < 0) continue;  // an older writer
      f.Sample(TaskLabels(v, t.snapshot), std::to_string(t.snapshot.queue_depth));
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
      if (s.queue_depth >= 0) tj["queue_depth"] = s.queue_depth;
      tj["report_age_ms"] = it->second.age_ms;
      tj["streams"] = StreamsJson({&it->second.windows});
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
  std::map<std::string, json> component_streams;
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
    std::vector<const std::array<WindowStats, kWindows>*> task_windows;
    for (std::int32_t id : c.tasks) {
      auto t = v.tasks.find(id);
      if (t != v.tasks.end()) task_windows.push_back(&t->second.windows);
    }
    json streams_of = StreamsJson(task_windows);
    component_streams[c.id] = streams_of;
    cm[c.id] = {{"kind", c.kind == ComponentKind::kSpout ? "spout" : "bolt"},
                {"parallelism", c.parallelism},
                {"metrics", windows},
                {"streams", std::move(streams_of)}};
  }
  j["components"] = cm;
  // Each edge of the logical plan with the counts of its stream: emitted
  // and transferred by the source component, executed, acked and failed by
  // the target component (from that source and stream only).
  for (json& e : j["logical_plan"]["streams"]) {
    json m = json::object();
    const std::string& from = e["from"].get_ref<const std::string&>();
    const std::string& to = e["to"].get_ref<const std::string&>();
    const std::string& stream = e["stream"].get_ref<const std::string&>();
    for (const json& out : component_streams[from]["outputs"]) {
      if (out["stream"] != stream) continue;
      for (const auto& [window, counts] : out["metrics"].items()) m[window] = counts;
    }
    for (const json& in : component_streams[to]["inputs"]) {
      if (in["component"] != from || in["stream"] != stream) continue;
      for (const auto& [window, counts] : in["metrics"].items()) {
        if (!m.contains(window)) m[window] = json::object();
        m[window].update(counts);
      }
    }
    e["metrics"] = std::move(m);
  }
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
