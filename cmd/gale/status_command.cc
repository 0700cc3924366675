// `gale status NAME [--json]`.

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "cluster_commands.h"
#include "topology_snapshot.h"
#include "common/parse.h"
#include "common/process.h"
#include "records/state_records.h"
#include "transport/address.h"

namespace gale::cli {
namespace {

using state::KeyValues;
using state::StateManager;

// Peak resident set size of a live process, from /proc (0 if unknown).
std::uint64_t PeakRssKbOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

std::string JsonString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "\"";
}

// ,"streams":{"outputs":[...],"inputs":[...]}: the per-stream counts of
// `component`'s tasks, summed, in the order the tasks report them.
std::string StreamsJson(const std::string& component,
                        const std::vector<metrics::TaskSnapshot>& tasks) {
  using Key = std::pair<std::string, std::string>;
  std::vector<Key> out_order, in_order;
  std::map<Key, metrics::StreamCounters> outputs, inputs;
  for (const metrics::TaskSnapshot& t : tasks) {
    if (t.component != component) continue;
    for (auto [list, sums, order] : {std::tuple{&t.outputs, &outputs, &out_order},
                                     std::tuple{&t.inputs, &inputs, &in_order}}) {
      for (const metrics::StreamStats& st : *list) {
        Key key{st.component, st.stream};
        auto [it, added] = sums->try_emplace(key);
        if (added) order->push_back(key);
        it->second = it->second.Plus(st.counters);
      }
    }
  }
  std::string out = ",\"streams\":{\"outputs\":[";
  for (std::size_t i = 0; i < out_order.size(); ++i) {
    const metrics::StreamCounters& c = outputs[out_order[i]];
    out += std::string(i ? "," : "") + "{\"stream\":" + JsonString(out_order[i].second) +
           ",\"emitted\":" + std::to_string(c.emitted) +
           ",\"transferred\":" + std::to_string(c.transferred) + "}";
  }
  out += "],\"inputs\":[";
  for (std::size_t i = 0; i < in_order.size(); ++i) {
    const metrics::StreamCounters& c = inputs[in_order[i]];
    out += std::string(i ? "," : "") + "{\"component\":" + JsonString(in_order[i].first) +
           ",\"stream\":" + JsonString(in_order[i].second) +
           ",\"executed\":" + std::to_string(c.executed) +
           ",\"acked\":" + std::to_string(c.acked) + ",\"failed\":" + std::to_string(c.failed) +
           "}";
  }
  return out + "]}";
}

}  // namespace

int ShowStatus(StateManager& sm, const std::string& name, bool json) {
  if (int code = RequireTopology(sm, name); code != kExitOk) return code;
  Snapshot s = TakeSnapshot(sm, name);
  bool running = SchedulerAlive(sm, name);
  auto act = sm.ReadKv(name, "activation");
  if (!act.ok() && act.status().code() != ErrorCode::kNotFound) {
    Error(act.status().message());
    return kExitFailure;
  }
  bool active = !act.ok() || act->GetOr("active", "1") == "1";
  const metrics::TopologyMetrics& m = s.metrics;
  const metrics::BackpressureMetrics& bp = m.backpressure;
  // Processes: role, container, component, tasks, pid, log.
  struct Proc {
    std::string role, component, log, name, given_up;
    std::string host;      // where it runs ("" in records of older versions)
    std::string endpoint;  // master and stream managers: the host:port they serve
    int container = -1, task = 0, pid = 0, restarts = 0;
    std::uint64_t start = 0;  // as recorded (records::ProcessRecord)
    bool alive = false;
    bool here = true;  // on this host: its pid can be looked up in /proc
  };
  const std::string this_host = HostName();
  std::vector<Proc> procs;
  std::map<int, std::pair<int, std::string>> task_info;  // task -> container, component
  if (auto packing = sm.ReadRecord<records::PackingPlan>(name, "packing"); packing.ok()) {
    for (const records::PackingEntry& e : packing->tasks) {
      task_info[e.task] = {e.container, e.component};
    }
  }
  auto pids = sm.List(name, "pids");
  if (!pids.ok()) {
    Error(pids.status().message());
    return kExitFailure;
  }
  for (const std::string& key : *pids) {
    auto record = sm.ReadRecord<records::ProcessRecord>(name, "pids/" + key);
    if (!record.ok()) continue;
    Proc p;
    p.name = key;
    p.pid = record->pid;
    p.start = record->start;
    p.restarts = record->restarts;
    p.given_up = record->given_up;
    p.host = record->host;
    p.log = sm.Path(name, "logs/" + key + ".log");
    auto dash = key.rfind('-');
    std::string prefix = dash == std::string::npos ? key : key.substr(0, dash);
    auto parsed = dash == std::string::npos
                      ? Result<std::int64_t>(-1)
                      : ParseInt(std::string_view(key).substr(dash + 1), 0,
                                 std::numeric_limits<std::int32_t>::max(), "process name");
    if (!parsed.ok()) continue;
    int num = static_cast<int>(*parsed);
    if (prefix == "task") {
      p.role = "instance";
      p.task = num;
      p.container = task_info[num].first;
      p.component = task_info[num].second;
    } else {
      p.role = prefix;
      p.container = num;
    }
    procs.push_back(p);
  }
  // The topology master's HTTP URL, while it runs.
  std::string http;
  if (auto tm = sm.ReadAliveRecord<records::MasterLocation>(name, "tmaster"); tm.ok()) {
    http = tm->http;
  }
  // The master and the stream managers advertise their endpoint and host in
  // their alive entries (records::MasterLocation) while they run.
  std::map<std::string, records::MasterLocation> located;  // by process name
  for (const Proc& p : procs) {
    if (p.role != "tmaster" && p.role != "stmgr") continue;
    auto where = sm.ReadAliveRecord<records::MasterLocation>(name, p.name);
    if (where.ok() && where->pid == p.pid) located[p.name] = *where;
  }
  for (Proc& p : procs) {
    auto it = located.find(p.name);
    if (it != located.end()) {
      p.endpoint = transport::HostPortOf(it->second.endpoint);
      if (p.host.empty()) p.host = it->second.host;
    }
    p.here = p.host.empty() || p.host == this_host;
    if (p.here) {
      p.alive = state::IsTopologyProcess(p.pid, name, p.start);
    } else if (p.role == "tmaster" || p.role == "stmgr") {
      // On another host: alive while its alive entry is.
      p.alive = it != located.end();
    } else {
      // An executor or instance on another host: judged by its container's
      // stream manager, which runs beside it under the same executor.
      p.alive = p.given_up.empty() &&
                located.count("stmgr-" + std::to_string(p.container)) > 0;
    }
  }
  int processes_gone = 0;
  for (const Proc& p : procs) processes_gone += p.alive ? 0 : 1;
  if (json) {
    std::string out = "{\"name\":" + JsonString(name) + ",\"state\":" +
                      JsonString(running ? "running" : "dead") +
                      ",\"active\":" + (active ? "true" : "false") +
                      ",\"http\":" + (http.empty() ? "null" : JsonString(http)) +
                      ",\"tasks_total\":" + std::to_string(m.tasks_total) +
                      ",\"tasks_reporting\":" + std::to_string(m.tasks_reporting) +
                      ",\"tasks_live\":" + std::to_string(s.tasks_live) +
                      ",\"processes_gone\":" + std::to_string(processes_gone) +
                      ",\"components\":[";
    for (std::size_t i = 0; i < m.components.size(); ++i) {
      const metrics::ComponentMetrics& c = m.components[i];
      const metrics::TaskCounters& t = c.totals;
      const metrics::TaskCounters& now = c.current;
      char buf[1536];
      std::snprintf(buf, sizeof buf,
                    "%s{\"id\":%s,\"kind\":%s,\"parallelism\":%d,\"emitted\":%" PRIu64
                    ",\"executed\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"failed\":%" PRIu64
                    ",\"timed_out\":%" PRIu64 ",\"complete_latency_ms\":%.3f"
                    ",\"complete_latency_p50_ms\":%.3f,\"complete_latency_p99_ms\":%.3f"
                    ",\"complete_latency_p999_ms\":%.3f,\"execute_latency_us\":%.3f,\"user_errors\":%" PRIu64
                    ",\"throttled_secs\":%.3f,\"transferred\":%" PRIu64 ",\"misuse\":%" PRIu64
                    ",\"malformed\":%" PRIu64 ",\"dropped\":%" PRIu64
                    ",\"pending\":%" PRId64 ",\"tasks_reporting\":%d,\"restarted_tasks\":%" PRIu64
                    ",\"emitted_incarnation\":%" PRIu64 ",\"executed_incarnation\":%" PRIu64
                    ",\"acked_incarnation\":%" PRIu64 ",\"failed_incarnation\":%" PRIu64 "}",
                    i ? "," : "", JsonString(c.id).c_str(), JsonString(c.kind).c_str(), c.tasks,
                    t.emitted, t.executed, t.acked, t.failed, t.timed_out, c.complete_mean_ms,
                    c.complete_p50_ms, c.complete_p99_ms, c.complete_p999_ms, c.execute_mean_us, t.user_errors, c.throttled_secs, t.transferred, t.misuse, t.malformed,
                    t.dropped,
                    c.pending, c.tasks_reporting, c.restarted_tasks, now.emitted, now.executed,
                    now.acked, now.failed);
      out += buf;
      if (!out.empty() && out.back() == '}') {
        out.pop_back();  // the component's closing brace
        out += StreamsJson(c.id, s.tasks) + "}";
      }
    }
    out += "],\"processes\":[";
    for (std::size_t i = 0; i < procs.size(); ++i) {
      const Proc& p = procs[i];
      out += std::string(i ? "," : "") + "{\"role\":" + JsonString(p.role) +
             ",\"container\":" + std::to_string(p.container);
      if (p.role == "instance") {
        out += ",\"component\":" + JsonString(p.component) + ",\"tasks\":[" +
               std::to_string(p.task) + "]";
      }
      out += ",\"host\":" + (p.host.empty() ? "null" : JsonString(p.host));
      if (p.role == "tmaster" || p.role == "stmgr") {
        out += ",\"endpoint\":" + (p.endpoint.empty() ? "null" : JsonString(p.endpoint));
      }
      out += ",\"pid\":" + std::to_string(p.pid) +
             ",\"alive\":" + (p.alive ? "true" : "false") +
             ",\"peak_rss_kb\":" + std::to_string(p.here ? PeakRssKbOf(p.pid) : 0) +
             ",\"restarts\":" + std::to_string(p.restarts) + ",\"log\":" + JsonString(p.log) +
             ",\"given_up\":" + JsonString(p.given_up) + "}";
    }
    char tail[512];
    std::snprintf(tail, sizeof tail,
                  "],\"backpressure\":{\"active\":%s,\"culprits\":%s,\"last_culprits\":%s,"
                  "\"episodes\":%" PRIu64 ",\"secs\":%.3f,\"queued_bytes\":%" PRIu64 "}}",
                  bp.active ? "true" : "false", JsonString(bp.culprits).c_str(),
                  JsonString(bp.last_culprits).c_str(), bp.episodes, bp.secs, bp.queued_bytes);
    out += tail;
    std::printf("%s\n", out.c_str());
    return kExitOk;
  }
  if (running) {
    std::printf("topology %s: running, %s, %d/%d tasks reporting\n", name.c_str(),
                active ? "active" : "inactive", m.tasks_reporting, m.tasks_total);
  } else {
    // The metrics files outlive their processes: say what is gone and count
    // only tasks whose process still exists.
    std::printf("topology %s: dead (scheduler not running; %d of %zu processes gone), %s, "
                "%d/%d tasks live\n",
                name.c_str(), processes_gone, procs.size(), active ? "active" : "inactive",
                s.tasks_live, m.tasks_total);
  }
  if (!http.empty()) {
    std::printf("http: %s (/ for the UI, /metrics, /api/v1/topologies/%s)\n", http.c_str(),
                name.c_str());
  }
  std::printf("%-16s %-5s %5s %12s %12s %10s %8s %9s %10s %10s\n", "component", "kind", "tasks",
              "emitted", "executed", "acked", "failed", "timed-out", "lat-mean", "exec-mean");
  for (const metrics::ComponentMetrics& c : m.components) {
    const metrics::TaskCounters& t = c.totals;
    char lat[32] = "-", exec[32] = "-";
    if (c.kind == "spout" && t.acked) std::snprintf(lat, sizeof lat, "%.2fms", c.complete_mean_ms);
    if (t.execute_samples) std::snprintf(exec, sizeof exec, "%.2fus", c.execute_mean_us);
    std::printf("%-16s %-5s %5d %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %9" PRIu64
                " %10s %10s\n",
                c.id.c_str(), c.kind.c_str(), c.tasks, t.emitted, t.executed, t.acked, t.failed,
                t.timed_out, lat, exec);
  }
  // Data lost for good (nothing replays it): only mentioned when there is some.
  std::string dropped;
  for (const metrics::ComponentMetrics& c : m.components) {
    if (c.totals.dropped == 0) continue;
    dropped += (dropped.empty() ? "" : ", ") + c.id + " " + std::to_string(c.totals.dropped);
  }
  if (!dropped.empty()) {
    std::printf("dropped (not replayed; see the logs for why): %s\n", dropped.c_str());
  }
  std::printf("backpressure: %s; %" PRIu64 " episodes, %.2f s in total%s\n",
              bp.culprits.empty() ? "none now" : ("held by " + bp.culprits).c_str(), bp.episodes,
              bp.secs,
              bp.last_culprits.empty() ? "" : (", last caused by " + bp.last_culprits).c_str());
  std::printf("%-12s %-9s %-12s %-16s %8s %8s %9s  %-21s  %s\n", "process", "container",
              "component", "host", "pid", "restarts", "peak-rss", "endpoint", "log");
  for (const Proc& p : procs) {
    std::printf("%-12s %-9d %-12s %-16s %8d %8d %7.1fMB  %-21s  %s%s\n", p.name.c_str(),
                p.container, p.component.empty() ? "-" : p.component.c_str(),
                p.host.empty() ? "-" : p.host.c_str(), p.pid, p.restarts,
                static_cast<double>(p.here ? PeakRssKbOf(p.pid) : 0) / 1024,
                p.endpoint.empty() ? "-" : p.endpoint.c_str(), p.log.c_str(),
                !p.given_up.empty() ? ("  (given up: " + p.given_up + ")").c_str()
                : p.alive           ? ""
                                    : "  (not running)");
  }
  return kExitOk;
}

}  // namespace gale::cli
