#include "cli/cluster_commands.h"

#include <signal.h>
#include <unistd.h>

#include <cinttypes>
#include <cstdio>
#include <fstream>
#include <map>
#include <thread>

#include "common/process.h"
#include "instance/instance_process.h"
#include "state/state_manager.h"
#include "transport/control.h"
#include "transport/zmq_util.h"

namespace gale::cli {
namespace {

using Clock = std::chrono::steady_clock;
using state::KeyValues;
using state::StateManager;

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitInvalid = 2;
constexpr std::size_t kMaxUnixSocketPath = 107;

void Error(const std::string& m) { std::fprintf(stderr, "gale: %s\n", m.c_str()); }

int PidOf(const StateManager& sm, const std::string& name, const std::string& key) {
  auto kv = sm.ReadKv(name, key);
  if (!kv) return 0;
  try {
    return std::stoi(kv->GetOr("pid", "0"));
  } catch (...) {
    return 0;
  }
}

std::uint64_t U64(const KeyValues& kv, const std::string& key) {
  try {
    return std::stoull(kv.GetOr(key, "0"));
  } catch (...) {
    return 0;
  }
}

// Every pid the topology's processes have recorded.
std::vector<int> AllPids(const StateManager& sm, const std::string& name) {
  std::vector<int> pids;
  for (const std::string& key : sm.List(name, "pids")) {
    int pid = PidOf(sm, name, "pids/" + key);
    if (pid > 0) pids.push_back(pid);
  }
  for (const char* key : {"scheduler", "tmaster"}) {
    int pid = PidOf(sm, name, key);
    if (pid > 0) pids.push_back(pid);
  }
  return pids;
}

bool AnyAlive(const std::vector<int>& pids) {
  for (int pid : pids) {
    if (state::ProcessAlive(pid)) return true;
  }
  return false;
}

bool WaitDead(const std::vector<int>& pids, std::chrono::milliseconds limit) {
  auto deadline = Clock::now() + limit;
  while (AnyAlive(pids)) {
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return true;
}

// Kills every process of the topology at once and removes its state.
void ForceKill(StateManager& sm, const std::string& name) {
  std::vector<int> pids = AllPids(sm, name);
  int scheduler = PidOf(sm, name, "scheduler");
  // The scheduler leads its own session and process group.
  if (scheduler > 0) ::kill(-scheduler, SIGKILL);
  for (int pid : pids) ::kill(pid, SIGKILL);
  WaitDead(pids, std::chrono::seconds(10));
  sm.RemoveTopology(name);
}

struct Totals {
  std::string id, kind;
  int tasks = 0;
  std::uint64_t emitted = 0, executed = 0, acked = 0, failed = 0, timed_out = 0,
                complete_ns = 0, execute_ns = 0, execute_samples = 0, user_errors = 0,
                throttled_ns = 0;
  bool drained = true;
  std::int64_t pending = 0;
};

struct Snapshot {
  std::vector<Totals> components;  // in packing order
  std::uint64_t progress = 0;      // emitted + acked + failed over everything
  bool spouts_drained = true;
  std::uint64_t queued_bytes = 0;
  int tasks_reporting = 0;
  int tasks_total = 0;
  std::map<int, KeyValues> stmgrs;
};

Snapshot TakeSnapshot(const StateManager& sm, const std::string& name) {
  Snapshot s;
  std::map<std::string, std::size_t> index;
  if (auto packing = sm.ReadKv(name, "packing")) {
    for (const std::string& entry : packing->GetAll("task")) {
      // "<task> <container> <component>"
      auto last = entry.rfind(' ');
      std::string component = entry.substr(last + 1);
      if (!index.count(component)) {
        index[component] = s.components.size();
        s.components.push_back({});
        s.components.back().id = component;
      }
      s.components[index[component]].tasks++;
      s.tasks_total++;
    }
  }
  for (const std::string& key : sm.List(name, "metrics")) {
    auto kv = sm.ReadKv(name, "metrics/" + key);
    if (!kv) continue;
    if (key.rfind("stmgr-", 0) == 0) {
      s.queued_bytes += U64(*kv, "queued_bytes");
      s.stmgrs[std::stoi(key.substr(6))] = *kv;
      continue;
    }
    std::string component = kv->GetOr("component", "");
    if (!index.count(component)) continue;
    Totals& t = s.components[index[component]];
    t.kind = kv->GetOr("kind", "");
    t.emitted += U64(*kv, "emitted");
    t.executed += U64(*kv, "executed");
    t.acked += U64(*kv, "acked");
    t.failed += U64(*kv, "failed");
    t.timed_out += U64(*kv, "timed_out");
    t.complete_ns += U64(*kv, "complete_ns");
    t.execute_ns += U64(*kv, "execute_ns");
    t.execute_samples += U64(*kv, "execute_samples");
    t.user_errors += U64(*kv, "user_errors");
    t.throttled_ns += U64(*kv, "throttled_ns");
    t.pending += static_cast<std::int64_t>(U64(*kv, "pending"));
    bool drained = kv->GetOr("drained", "0") == "1";
    t.drained = t.drained && drained;
    if (t.kind == "spout") s.spouts_drained = s.spouts_drained && drained;
    // Not `executed`: tick tuples keep it moving in an idle topology.
    s.progress += U64(*kv, "emitted") + U64(*kv, "acked") + U64(*kv, "failed");
    s.tasks_reporting++;
  }
  return s;
}

Result<transport::ControlMessage> RequestTmaster(const StateManager& sm, const std::string& name,
                                                 const std::string& command) {
  auto tm = sm.ReadKv(name, "tmaster");
  if (!tm) return NotFound("topology '" + name + "' has no live topology master");
  zmq::socket_t s = transport::MakeSocket(zmq::socket_type::dealer);
  s.connect(tm->GetOr("endpoint", ""));
  transport::ControlMessage req{transport::ControlType::kRequest, {}};
  req.fields.Add("command", command);
  transport::TrySend(s, transport::EncodeControl(req));
  zmq::pollitem_t item{static_cast<void*>(s), 0, ZMQ_POLLIN, 0};
  transport::Poll(&item, 1, std::chrono::milliseconds(5000));
  auto reply = transport::TryRecv(s);
  if (!reply) return IoError("the topology master of '" + name + "' did not answer");
  return transport::DecodeControl(*reply);
}

// Peak resident set size of a live process, from /proc (0 if unknown).
std::uint64_t PeakRssKbOf(int pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

bool SchedulerAlive(const StateManager& sm, const std::string& name) {
  return state::ProcessAlive(PidOf(sm, name, "scheduler"));
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

// Waits until nothing is in flight: no spout has a pending tree, no stream
// manager holds data and the counters stopped moving; with
// `require_exhausted` every spout must also be exhausted.
bool WaitDrained(const StateManager& sm, const std::string& name, double timeout_secs,
                 bool require_exhausted) {
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(timeout_secs));
  std::uint64_t last_progress = ~0ull;
  int stable = 0;
  while (Clock::now() < deadline) {
    Snapshot s = TakeSnapshot(sm, name);
    std::int64_t pending = 0;
    for (const Totals& t : s.components) pending += t.pending;
    bool quiet = (!require_exhausted || s.spouts_drained) && pending == 0 &&
                 s.queued_bytes == 0 && s.tasks_reporting == s.tasks_total && s.tasks_total > 0;
    stable = (quiet && s.progress == last_progress) ? stable + 1 : 0;
    last_progress = s.progress;
    if (stable >= 3) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

}  // namespace

int Submit(const std::string& root, const launch::TopologySource& source, double timeout_secs) {
  launch::TopologySource src = source.Absolute();
  auto loaded = launch::LoadTopology(src);
  if (!loaded.ok()) {
    Error(loaded.status().message());
    return kExitInvalid;
  }
  const std::string name = loaded->spec.name;
  StateManager sm(root);
  // ipc:// endpoints live under the state directory; Unix socket paths are
  // limited to 107 bytes.
  std::string endpoint = instance::StmgrLocalEndpoint(sm.TopologyDir(name),
                                                      loaded->plan->workers() - 1);
  if (endpoint.size() - 6 > kMaxUnixSocketPath) {
    Error("the state directory '" + root + "' is too deep: the stream manager socket " +
          endpoint.substr(6) + " would be " + std::to_string(endpoint.size() - 6) +
          " bytes, over the " + std::to_string(kMaxUnixSocketPath) +
          "-byte limit of Unix sockets; use a shorter --state-dir or GALE_STATE_DIR");
    return kExitInvalid;
  }
  if (sm.Exists(name)) {
    if (SchedulerAlive(sm, name)) {
      Error("topology '" + name + "' is already running (state in " + sm.TopologyDir(name) +
            "); run 'gale kill " + name + "' first");
      return kExitFailure;
    }
    ForceKill(sm, name);  // leftovers of a dead run
  }
  Status s = sm.Create(name);
  if (s.ok()) s = sm.WriteKv(name, "submit", src.ToKeyValues());
  if (!s.ok()) {
    Error(s.message());
    return kExitFailure;
  }
  SpawnOptions o;
  o.argv = {SelfExe(), "--state-dir", root, "_scheduler", name};
  o.log_path = sm.Path(name, "logs/scheduler.log");
  o.new_session = true;
  o.die_with_parent = false;
  auto pid = Spawn(o);
  if (!pid.ok()) {
    Error(pid.status().message());
    sm.RemoveTopology(name);
    return kExitFailure;
  }
  KeyValues kv;
  kv.Add("pid", std::to_string(*pid));
  (void)sm.WriteKv(name, "scheduler", kv);

  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(timeout_secs));
  while (true) {
    auto errors = sm.List(name, "errors");
    if (!errors.empty()) {
      std::string message = sm.Read(name, "errors/" + errors.front()).value_or("");
      while (!message.empty() && message.back() == '\n') message.pop_back();
      Error("topology '" + name + "' failed to start: " + errors.front() + ": " + message);
      ForceKill(sm, name);
      return kExitFailure;
    }
    if (!state::ProcessAlive(*pid)) {
      Error("the scheduler of topology '" + name + "' exited; see " +
            sm.Path(name, "logs/scheduler.log"));
      std::fputs(sm.Read(name, "logs/scheduler.log").value_or("").c_str(), stderr);
      ForceKill(sm, name);
      return kExitFailure;
    }
    Snapshot snap = TakeSnapshot(sm, name);
    if (sm.Read(name, "physical") && snap.tasks_total > 0 &&
        snap.tasks_reporting == snap.tasks_total) {
      std::printf("topology '%s' is running: %zu containers, %d tasks (state in %s)\n",
                  name.c_str(), static_cast<std::size_t>(loaded->plan->workers()),
                  snap.tasks_total, sm.TopologyDir(name).c_str());
      return kExitOk;
    }
    if (Clock::now() >= deadline) {
      Error("topology '" + name + "' did not start within " + std::to_string(timeout_secs) +
            " s; logs are in " + sm.Path(name, "logs"));
      ForceKill(sm, name);
      return kExitFailure;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int List(const std::string& root) {
  StateManager sm(root);
  auto names = sm.Topologies();
  if (names.empty()) {
    std::printf("no topologies in %s\n", root.c_str());
    return kExitOk;
  }
  std::printf("%-24s %-8s %-8s %s\n", "topology", "state", "active", "scheduler pid");
  for (const auto& name : names) {
    int pid = PidOf(sm, name, "scheduler");
    auto act = sm.ReadKv(name, "activation");
    std::printf("%-24s %-8s %-8s %d\n", name.c_str(),
                state::ProcessAlive(pid) ? "running" : "dead",
                (!act || act->GetOr("active", "1") == "1") ? "yes" : "no", pid);
  }
  return kExitOk;
}

int ShowStatus(const std::string& root, const std::string& name, bool json) {
  StateManager sm(root);
  if (!sm.Exists(name)) {
    Error("no topology '" + name + "' in " + root + " (see 'gale list')");
    return kExitFailure;
  }
  Snapshot s = TakeSnapshot(sm, name);
  bool running = SchedulerAlive(sm, name);
  auto act = sm.ReadKv(name, "activation");
  bool active = !act || act->GetOr("active", "1") == "1";
  double bp_secs = 0;
  std::uint64_t bp_episodes = 0;
  std::string culprits, last_culprits;
  for (const auto& [c, kv] : s.stmgrs) {
    bp_secs += static_cast<double>(U64(kv, "backpressure_ns")) / 1e9;
    bp_episodes += U64(kv, "backpressure_episodes");
    std::string last = kv.GetOr("last_backpressure_culprit", "");
    if (!last.empty()) last_culprits += (last_culprits.empty() ? "" : ",") + last;
    if (kv.GetOr("backpressure", "0") == "1") {
      culprits += (culprits.empty() ? "" : ",") + kv.GetOr("backpressure_culprit", "");
    }
  }
  // Processes: role, container, component, tasks, pid, log.
  struct Proc {
    std::string role, component, log, name;
    int container = -1, task = 0, pid = 0, restarts = 0;
  };
  std::vector<Proc> procs;
  std::map<int, std::pair<int, std::string>> task_info;  // task -> container, component
  if (auto packing = sm.ReadKv(name, "packing")) {
    for (const std::string& e : packing->GetAll("task")) {
      int task = 0, container = 0;
      char component[256] = {0};
      if (std::sscanf(e.c_str(), "%d %d %255s", &task, &container, component) == 3) {
        task_info[task] = {container, component};
      }
    }
  }
  for (const std::string& key : sm.List(name, "pids")) {
    auto kv = sm.ReadKv(name, "pids/" + key);
    if (!kv) continue;
    Proc p;
    p.name = key;
    p.pid = static_cast<int>(U64(*kv, "pid"));
    p.restarts = static_cast<int>(U64(*kv, "restarts"));
    p.log = sm.Path(name, "logs/" + key + ".log");
    auto dash = key.rfind('-');
    std::string prefix = dash == std::string::npos ? key : key.substr(0, dash);
    int num = dash == std::string::npos ? -1 : std::atoi(key.c_str() + dash + 1);
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
  if (json) {
    std::string out = "{\"name\":" + JsonString(name) + ",\"state\":" +
                      JsonString(running ? "running" : "dead") +
                      ",\"active\":" + (active ? "true" : "false") + ",\"components\":[";
    for (std::size_t i = 0; i < s.components.size(); ++i) {
      const Totals& t = s.components[i];
      char buf[512];
      std::snprintf(buf, sizeof buf,
                    "%s{\"id\":%s,\"kind\":%s,\"parallelism\":%d,\"emitted\":%" PRIu64
                    ",\"executed\":%" PRIu64 ",\"acked\":%" PRIu64 ",\"failed\":%" PRIu64
                    ",\"timed_out\":%" PRIu64 ",\"complete_latency_ms\":%.3f"
                    ",\"execute_latency_us\":%.3f,\"user_errors\":%" PRIu64
                    ",\"throttled_secs\":%.3f}",
                    i ? "," : "", JsonString(t.id).c_str(), JsonString(t.kind).c_str(), t.tasks,
                    t.emitted, t.executed, t.acked, t.failed, t.timed_out,
                    t.acked ? t.complete_ns / 1e6 / t.acked : 0.0,
                    t.execute_samples ? t.execute_ns / 1e3 / t.execute_samples : 0.0,
                    t.user_errors, static_cast<double>(t.throttled_ns) / 1e9);
      out += buf;
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
      out += ",\"pid\":" + std::to_string(p.pid) +
             ",\"alive\":" + (state::ProcessAlive(p.pid) ? "true" : "false") +
             ",\"peak_rss_kb\":" + std::to_string(PeakRssKbOf(p.pid)) +
             ",\"restarts\":" + std::to_string(p.restarts) + ",\"log\":" + JsonString(p.log) + "}";
    }
    char bp[512];
    std::snprintf(bp, sizeof bp,
                  "],\"backpressure\":{\"active\":%s,\"culprits\":%s,\"last_culprits\":%s,"
                  "\"episodes\":%" PRIu64 ",\"secs\":%.3f}}",
                  culprits.empty() ? "false" : "true", JsonString(culprits).c_str(),
                  JsonString(last_culprits).c_str(), bp_episodes, bp_secs);
    out += bp;
    std::printf("%s\n", out.c_str());
    return kExitOk;
  }
  std::printf("topology %s: %s, %s, %d/%d tasks reporting\n", name.c_str(),
              running ? "running" : "dead", active ? "active" : "inactive", s.tasks_reporting,
              s.tasks_total);
  std::printf("%-16s %-5s %5s %12s %12s %10s %8s %9s %10s %10s\n", "component", "kind", "tasks",
              "emitted", "executed", "acked", "failed", "timed-out", "lat-mean", "exec-mean");
  for (const Totals& t : s.components) {
    char lat[32] = "-", exec[32] = "-";
    if (t.kind == "spout" && t.acked) std::snprintf(lat, sizeof lat, "%.2fms", t.complete_ns / 1e6 / t.acked);
    if (t.execute_samples) std::snprintf(exec, sizeof exec, "%.2fus", t.execute_ns / 1e3 / t.execute_samples);
    std::printf("%-16s %-5s %5d %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %8" PRIu64 " %9" PRIu64
                " %10s %10s\n",
                t.id.c_str(), t.kind.c_str(), t.tasks, t.emitted, t.executed, t.acked, t.failed,
                t.timed_out, lat, exec);
  }
  std::printf("backpressure: %s; %" PRIu64 " episodes, %.2f s in total%s\n",
              culprits.empty() ? "none now" : ("held by " + culprits).c_str(), bp_episodes,
              bp_secs, last_culprits.empty() ? "" : (", last caused by " + last_culprits).c_str());
  std::printf("%-12s %-9s %-12s %8s %8s %9s  %s\n", "process", "container", "component", "pid",
              "restarts", "peak-rss", "log");
  for (const Proc& p : procs) {
    std::printf("%-12s %-9d %-12s %8d %8d %7.1fMB  %s%s\n", p.name.c_str(), p.container,
                p.component.empty() ? "-" : p.component.c_str(), p.pid, p.restarts,
                static_cast<double>(PeakRssKbOf(p.pid)) / 1024, p.log.c_str(),
                state::ProcessAlive(p.pid) ? "" : "  (not running)");
  }
  return kExitOk;
}

int SetActive(const std::string& root, const std::string& name, bool active) {
  StateManager sm(root);
  if (!sm.Exists(name) || !SchedulerAlive(sm, name)) {
    Error("topology '" + name + "' is not running (see 'gale list')");
    return kExitFailure;
  }
  auto reply = RequestTmaster(sm, name, active ? "activate" : "deactivate");
  if (!reply.ok()) {
    Error(reply.status().message());
    return kExitFailure;
  }
  bool ok = reply->fields.GetOr("ok", "0") == "1";
  std::fprintf(ok ? stdout : stderr, "%s\n", reply->fields.GetOr("message", "").c_str());
  return ok ? kExitOk : kExitFailure;
}

int ShowLogs(const std::string& root, const std::string& name, const LogsOptions& options) {
  StateManager sm(root);
  if (!sm.Exists(name)) {
    Error("no topology '" + name + "' in " + root);
    return kExitFailure;
  }
  std::vector<std::string> files;
  std::map<int, std::string> components;
  if (auto packing = sm.ReadKv(name, "packing")) {
    for (const std::string& e : packing->GetAll("task")) {
      int task = 0, container = 0;
      char component[256] = {0};
      if (std::sscanf(e.c_str(), "%d %d %255s", &task, &container, component) == 3) {
        components[task] = component;
      }
    }
  }
  for (const std::string& f : sm.List(name, "logs")) {
    int task = f.rfind("task-", 0) == 0 ? std::atoi(f.c_str() + 5) : 0;
    if (options.task > 0 && task != options.task) continue;
    if (!options.component.empty() && (task == 0 || components[task] != options.component)) {
      continue;
    }
    files.push_back(sm.Path(name, "logs/" + f));
  }
  if (files.empty()) {
    Error("no log files match");
    return kExitFailure;
  }
  std::map<std::string, std::streamoff> offsets;
  do {
    for (const std::string& f : files) {
      std::ifstream in(f);
      in.seekg(0, std::ios::end);
      std::streamoff size = in.tellg();
      std::streamoff& off = offsets[f];
      if (size < off) off = 0;
      if (size == off) continue;
      in.seekg(off);
      std::string chunk(static_cast<std::size_t>(size - off), '\0');
      in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
      if (files.size() > 1) std::printf("==> %s <==\n", f.c_str());
      std::fwrite(chunk.data(), 1, chunk.size(), stdout);
      off = size;
    }
    std::fflush(stdout);
    if (options.follow) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  } while (options.follow && sm.Exists(name));
  return kExitOk;
}

int Wait(const std::string& root, const std::string& name, double timeout_secs) {
  StateManager sm(root);
  if (!sm.Exists(name) || !SchedulerAlive(sm, name)) {
    Error("topology '" + name + "' is not running");
    return kExitFailure;
  }
  if (WaitDrained(sm, name, timeout_secs, /*require_exhausted=*/true)) {
    std::printf("topology '%s': spouts exhausted, nothing in flight\n", name.c_str());
    return kExitOk;
  }
  Error("topology '" + name + "' still has work after " + std::to_string(timeout_secs) + " s");
  return kExitFailure;
}

int Kill(const std::string& root, const std::string& name, double wait_secs, bool force) {
  StateManager sm(root);
  if (!sm.Exists(name)) {
    Error("no topology '" + name + "' in " + root + " (see 'gale list')");
    return kExitFailure;
  }
  if (force || !SchedulerAlive(sm, name)) {
    ForceKill(sm, name);
    std::printf("topology '%s' killed\n", name.c_str());
    return kExitOk;
  }
  // Spouts stop, in-flight tuples drain, then every task closes cleanly.
  (void)RequestTmaster(sm, name, "deactivate");
  WaitDrained(sm, name, wait_secs, /*require_exhausted=*/false);
  std::vector<int> pids = AllPids(sm, name);
  int scheduler = PidOf(sm, name, "scheduler");
  ::kill(scheduler, SIGTERM);
  if (!WaitDead(pids, std::chrono::seconds(40))) {
    Error("processes of '" + name + "' did not stop in time; killing them");
  }
  ForceKill(sm, name);
  std::printf("topology '%s' killed\n", name.c_str());
  return kExitOk;
}

}  // namespace gale::cli
