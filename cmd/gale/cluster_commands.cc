#include "cluster_commands.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "topology_snapshot.h"
#include "common/process.h"
#include "state/log_archive.h"
#include "state/state_manager.h"
#include "common/parse.h"
#include "records/control.h"
#include "records/state_records.h"
#include "launch/package.h"
#include "scheduler/slurm_scheduler.h"
#include "launch/transport_keys.h"
#include "topology/defaults.h"
#include "transport/curve.h"
#include "transport/frame_socket.h"
#include "transport/zmq_util.h"

namespace gale::cli {
namespace {

using Clock = std::chrono::steady_clock;
using gale::kExitNoTopology;
using state::ArchivedRun;
using state::KeyValues;
using state::LogArchive;
using state::StateManager;

constexpr std::size_t kMaxUnixSocketPath = 107;

// The pids recorded for the topology that are still its processes; a pid
// now used by something else is left alone.
std::vector<int> AllPids(const StateManager& sm, const std::string& name) {
  std::vector<int> pids;
  auto add = [&](const RecordedPid& p) {
    if (IsTopologyProcess(p, name)) pids.push_back(p.pid);
  };
  for (const std::string& key : sm.List(name, "pids").value_or({})) add(PidOf(sm, name, "pids/" + key));
  add(PidOf(sm, name, "scheduler"));
  if (auto tm = sm.ReadAliveRecord<records::MasterLocation>(name, "tmaster"); tm.ok()) {
    add({tm->pid, tm->start});
  }
  return pids;
}

// The scheduler's pid if it is still the topology's scheduler, else 0.
int SchedulerPid(const StateManager& sm, const std::string& name) {
  RecordedPid p = PidOf(sm, name, "scheduler");
  return IsTopologyProcess(p, name) ? p.pid : 0;
}

// Kills the scheduler's process group: the scheduler leads it (it starts in
// a new session), so the group holds the topology's processes on this host.
// Only when `scheduler` still leads its own group: never a group that is
// not the topology's.
void KillSchedulerGroup(int scheduler) {
  if (scheduler > 1 && ::getpgid(scheduler) == scheduler) ::kill(-scheduler, SIGKILL);
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

std::string NoTopologyMessage(const std::string& root, const std::string& name) {
  return "no topology '" + name + "' in " + root + " (see 'gale list')";
}

LogArchive Archive(const StateManager& sm) {
  return LogArchive(sm.local_root(), LogArchive::KeepRunsFromEnv());
}

// Where a topology's state is, for messages: its directory, or its node in
// ZooKeeper and its host-local directory.
std::string StateWhere(const StateManager& sm, const std::string& name) {
  if (sm.root() == sm.local_root()) return sm.TopologyDir(name);
  return sm.root() + "/topologies/" + name + ", logs in " + sm.TopologyDir(name);
}

// Moves the topology's logs into the archive (state/log_archive.h), then
// removes its state. The archived run, if there was one; whether the state
// is gone in `*removed` when given (else reported here).
std::optional<ArchivedRun> RemoveState(StateManager& sm, const std::string& name,
                                       const std::string& reason, Status* removed = nullptr) {
  std::map<std::string, std::string> records;
  for (const char* key : {"submit", "packing"}) {
    if (auto text = sm.Read(name, key); text.ok()) records[key] = *text;
  }
  Result<ArchivedRun> run = Archive(sm).Archive(name, sm.TopologyDir(name), reason, records);
  Status gone = sm.RemoveTopology(name);
  // The topology's reference to its package goes with it; the last one
  // removes the package (launch/package.h).
  if (gone.ok() && records.count("submit") > 0) {
    auto submission = records::DecodeRecord<records::Submission>(records["submit"]);
    if (submission.ok() && !submission->package_dir.empty()) {
      std::error_code ec;  // a Slurm run's directory (scheduler/slurm_scheduler.h), if any
      std::filesystem::remove_all(
          scheduler::SlurmRunDir(
              std::filesystem::path(submission->package_dir).parent_path().string(),
              launch::PackageRefName(sm.root(), name)),
          ec);
      Status released =
          launch::ReleasePackage(submission->package_dir, launch::PackageRefName(sm.root(), name));
      if (!released.ok()) Error("warning: " + released.message());
    }
  }
  if (removed != nullptr) {
    *removed = gone;
  } else if (!gone.ok()) {
    Error(gone.message());
  }
  if (run.ok()) return *run;
  if (run.status().code() != ErrorCode::kNotFound &&
      run.status().code() != ErrorCode::kFailedPrecondition) {
    Error("the logs of '" + name + "' were not archived: " + run.status().message());
  }
  return std::nullopt;
}

// "logs of run 3 kept in DIR (gale logs NAME --run 3)", or "" without a run.
std::string KeptLogs(const std::string& name, const std::optional<ArchivedRun>& run) {
  if (!run) return "";
  std::string n = std::to_string(run->run);
  return "logs of run " + n + " kept in " + run->dir + " ('gale logs " + name + " --run " + n +
         "')";
}

// Kills every process of the topology at once, archives its logs and
// removes its state.
std::optional<ArchivedRun> ForceKill(StateManager& sm, const std::string& name,
                                     const std::string& reason, Status* removed = nullptr) {
  if (scheduler::IsSlurmTopology(sm, name)) {
    Status cancelled = scheduler::CancelSlurmJobs(sm, scheduler::SlurmClient({}), name, "KILL",
                                                  std::chrono::seconds(60));
    if (!cancelled.ok()) {
      Status kept(cancelled.code(), "its Slurm jobs were not all cancelled: " +
                                        cancelled.message() + "; its state is kept");
      if (removed != nullptr) {
        *removed = kept;
      } else {
        Error("topology '" + name + "': " + kept.message());
      }
      return std::nullopt;
    }
  }
  std::vector<int> pids = AllPids(sm, name);
  KillSchedulerGroup(SchedulerPid(sm, name));
  for (int pid : pids) ::kill(pid, SIGKILL);
  WaitDead(pids, std::chrono::seconds(10));
  return RemoveState(sm, name, reason, removed);
}

// task -> component, from the text of a packing record (empty when it is
// missing or malformed).
std::map<int, std::string> TaskComponents(const std::optional<std::string>& packing) {
  std::map<int, std::string> components;
  if (!packing) return components;
  auto plan = records::DecodeRecord<records::PackingPlan>(*packing);
  if (!plan.ok()) return components;
  for (const records::PackingEntry& e : plan->tasks) components[e.task] = e.component;
  return components;
}

// "task-3.log.2" -> {"task-3.log", 2}; "task-3.log" -> {"task-3.log", 0}: a
// log and the number of a rotated copy of it (common/log_rotation.h).
std::pair<std::string, int> RotatedLog(const std::string& file) {
  auto log = file.rfind(".log.");
  if (log == std::string::npos) return {file, 0};
  auto n = ParseInt(std::string_view(file).substr(log + 5), 1, 1'000'000, "rotated log");
  if (!n.ok()) return {file, 0};
  return {file.substr(0, log + 4), static_cast<int>(*n)};
}

// The log files in `logs_dir` that `options` select: by process name, each
// process's rotated files oldest first and its current log last.
std::vector<std::string> MatchingLogs(const std::string& logs_dir,
                                      const std::map<int, std::string>& components,
                                      const LogsOptions& options) {
  std::vector<std::string> names;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(logs_dir, ec)) {
    std::string f = e.path().filename().string();
    if (f.find(".tmp") != std::string::npos || f.ends_with(".new")) continue;
    int task = 0;
    if (f.rfind("task-", 0) == 0) {
      std::string_view id = std::string_view(f).substr(5);
      id = id.substr(0, id.find('.'));  // "task-3.log"
      auto parsed = ParseInt(id, 1, std::numeric_limits<std::int32_t>::max(), "log file");
      task = parsed.ok() ? static_cast<int>(*parsed) : 0;
    }
    if (options.task > 0 && task != options.task) continue;
    if (!options.component.empty()) {
      auto it = components.find(task);
      if (task == 0 || it == components.end() || it->second != options.component) continue;
    }
    names.push_back(f);
  }
  std::sort(names.begin(), names.end(), [](const std::string& a, const std::string& b) {
    auto [a_log, a_n] = RotatedLog(a);
    auto [b_log, b_n] = RotatedLog(b);
    if (a_log != b_log) return a_log < b_log;
    return a_n > b_n;  // the oldest copy first; the current log (0) last
  });
  std::vector<std::string> files;
  for (const std::string& f : names) files.push_back(logs_dir + "/" + f);
  return files;
}

// Device and inode of `path`, or {0, 0}.
std::pair<std::uint64_t, std::uint64_t> FileId(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return {0, 0};
  return {st.st_dev, st.st_ino};
}

// Prints what `path` holds from `off` on; the new end.
std::streamoff PrintFrom(const std::string& path, std::streamoff off, const char* header) {
  std::ifstream in(path);
  in.seekg(0, std::ios::end);
  std::streamoff size = in.tellg();
  if (size < 0) return off;
  if (size < off) off = 0;  // truncated
  if (size == off) return size;
  in.seekg(off);
  std::string chunk(static_cast<std::size_t>(size - off), '\0');
  in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
  if (header != nullptr) std::printf("==> %s <==\n", header);
  std::fwrite(chunk.data(), 1, chunk.size(), stdout);
  return size;
}

// Prints `files` (each under a header when there are several), then, while
// `follow()` says so, what is appended to them. A log rotated meanwhile
// (the file at its path is a new one) is finished from its rotated copy
// <log>.1 before the new file is printed from its start.
void PrintLogs(const std::vector<std::string>& files, const std::function<bool()>& follow) {
  struct Seen {
    std::pair<std::uint64_t, std::uint64_t> id;
    std::streamoff off = 0;
  };
  std::map<std::string, Seen> seen;
  bool again = false;
  do {
    for (const std::string& f : files) {
      const char* header = files.size() > 1 ? f.c_str() : nullptr;
      Seen& s = seen[f];
      auto id = FileId(f);
      if (s.id != id) {
        if (s.id.first != 0 && FileId(f + ".1") == s.id) PrintFrom(f + ".1", s.off, header);
        s.id = id;
        s.off = 0;
      }
      s.off = PrintFrom(f, s.off, header);
    }
    std::fflush(stdout);
    again = follow();
    if (again) std::this_thread::sleep_for(std::chrono::milliseconds(250));
  } while (again);
}

// `gale logs NAME --runs`.
int ListArchivedRuns(const StateManager& sm, const std::string& name) {
  std::vector<ArchivedRun> runs = Archive(sm).Runs(name);
  if (runs.empty()) {
    if (int code = RequireTopology(sm, name); code != kExitOk) return code;
    std::printf("topology '%s' has no archived runs yet (its live logs: 'gale logs %s')\n",
                name.c_str(), name.c_str());
    return kExitOk;
  }
  std::printf("%-5s %-21s %5s  %-28s %s\n", "run", "archived", "files", "reason", "directory");
  for (const ArchivedRun& r : runs) {
    std::printf("%-5d %-21s %5d  %-28s %s\n", r.run, r.archived.c_str(), r.log_files,
                r.reason.c_str(), r.dir.c_str());
  }
  return kExitOk;
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
    const metrics::TopologyMetrics m = TakeSnapshot(sm, name).metrics;
    std::int64_t pending = 0;
    for (const metrics::ComponentMetrics& c : m.components) pending += c.pending;
    bool quiet = (!require_exhausted || m.spouts_drained) && pending == 0 &&
                 m.backpressure.queued_bytes == 0 && m.tasks_reporting == m.tasks_total &&
                 m.tasks_total > 0;
    stable = (quiet && m.progress == last_progress) ? stable + 1 : 0;
    last_progress = m.progress;
    if (stable >= 3) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  return false;
}

// When a process of the topology recorded why it could not start: says so,
// kills the topology (keeping its logs) and returns true.
bool FailedToStart(StateManager& sm, const std::string& name) {
  auto errors = sm.List(name, "errors").value_or({});
  if (errors.empty()) return false;
  std::string message = sm.Read(name, "errors/" + errors.front()).value_or("");
  while (!message.empty() && message.back() == '\n') message.pop_back();
  Error("topology '" + name + "' failed to start: " + errors.front() + ": " + message);
  std::string kept = KeptLogs(name, ForceKill(sm, name, "submit failed: " + errors.front()));
  if (!kept.empty()) Error(kept);
  return true;
}

// The rest of `gale submit` with scheduler: slurm: hands the jobs to Slurm,
// then waits, as for the local scheduler, until every task reports.
int SubmitToSlurm(StateManager& sm, const state::StateOptions& child,
                  const cluster::ClusterConfig& cluster, const std::string& name,
                  const std::string& run_dir, const plan::TopologyPlan& plan,
                  double timeout_secs) {
  scheduler::SlurmClient slurm(scheduler::SlurmSettingsOf(cluster));
  Status submitted = scheduler::SubmitSlurmJobs(sm, slurm, child, name, plan.workers(), run_dir);
  if (!submitted.ok()) {
    Error("topology '" + name + "' was not submitted: " + submitted.message());
    (void)ForceKill(sm, name, "submit failed: " + submitted.message());
    return kExitFailure;
  }
  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(timeout_secs));
  auto next_check = Clock::now() + std::chrono::seconds(5);
  while (true) {
    if (FailedToStart(sm, name)) return kExitFailure;
    if (Clock::now() >= next_check) {
      next_check = Clock::now() + std::chrono::seconds(5);
      if (!scheduler::SlurmJobsAlive(sm, slurm, name)) {
        Error("every Slurm job of topology '" + name + "' ended before it ran; what they " +
              "printed is in " + run_dir);
        (void)ForceKill(sm, name, "submit failed: its Slurm jobs ended");
        return kExitFailure;
      }
    }
    const metrics::TopologyMetrics snap = TakeSnapshot(sm, name).metrics;
    if (sm.Read(name, "physical").ok() && snap.tasks_total > 0 &&
        snap.tasks_reporting == snap.tasks_total) {
      std::printf("topology '%s' is running: %zu containers, %d tasks, placed by Slurm "
                  "(state in %s)\n",
                  name.c_str(), static_cast<std::size_t>(plan.workers()), snap.tasks_total,
                  StateWhere(sm, name).c_str());
      return kExitOk;
    }
    if (Clock::now() >= deadline) {
      (void)ForceKill(sm, name, "submit timed out");
      Error("topology '" + name + "' did not start within " + std::to_string(timeout_secs) +
            " s (Slurm may not have found room for its jobs: see squeue; what they printed " +
            "is in " + run_dir + ")");
      return kExitFailure;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace

int Submit(StateManager& sm, const state::StateOptions& options,
           const cluster::ClusterConfig& cluster, const launch::TopologySource& source, const std::string& package_store,
           double timeout_secs) {
  const std::string& root = options.root;
  launch::TopologySource src = source.Absolute();
  std::vector<flux::SourceFile> files_read;
  auto loaded = launch::LoadTopology(src, &files_read);
  if (!loaded.ok()) {
    Error(loaded.status().message());
    return kExitInvalid;
  }
  const std::string name = loaded->spec.name;
  // The secrets (CURVE keys, HTTP token) stay in this host's directory
  // unless ZooKeeper can guard them: the other hosts could not read them.
  if (cluster.scheduler == cluster::SchedulerKind::kSlurm && options.zookeeper &&
      options.zookeeper->auth.empty() && topology::CurveEnabled(loaded->plan->topology_config())) {
    Error("topology '" + name + "' was not submitted: with 'scheduler: slurm' its processes " +
          "run on other hosts and need its CURVE keys, which are shared only through " +
          "ZooKeeper with an identity: set zookeeper.auth in " + options.cluster_file +
          " (or run the topology with security.curve: false)");
    return kExitInvalid;
  }
  if (cluster.scheduler == cluster::SchedulerKind::kSlurm &&
      topology::CpuPinningEnabled(loaded->plan->topology_config())) {
    Error("topology '" + name + "' was not submitted: container.cpu.pinning shares one " +
          "host's CPUs among the topology's containers, which only the local scheduler runs " +
          "on one host; with 'scheduler: slurm' each container is a job whose CPUs Slurm " +
          "places (set container.cpu.pinning: false, and ask for CPUs with --cpus-per-task " +
          "in slurm.args of " + options.cluster_file + ")");
    return kExitInvalid;
  }
  // The instances' sockets live under the state directory; Unix socket
  // paths are limited to 107 bytes.
  std::string endpoint = transport::StmgrLocalSocket(sm.TopologyDir(name),
                                                    loaded->plan->workers() - 1);
  if (endpoint.size() > kMaxUnixSocketPath) {
    Error("the state directory '" + root + "' is too deep: the stream manager socket " +
          endpoint + " would be " + std::to_string(endpoint.size()) +
          " bytes, over the " + std::to_string(kMaxUnixSocketPath) +
          "-byte limit of Unix sockets; use a shorter --state-dir or GALE_STATE_DIR");
    return kExitInvalid;
  }
  auto exists = sm.Exists(name);
  if (!exists.ok()) {
    Error(exists.status().message());
    return kExitFailure;
  }
  if (*exists) {
    if (SchedulerAlive(sm, name)) {
      Error("topology '" + name + "' is already running (state in " + StateWhere(sm, name) +
            "); run 'gale kill " + name + "' first");
      return kExitFailure;
    }
    (void)ForceKill(sm, name, "dead, replaced by a new submit");  // leftovers of a dead run
  }
  // The package every process of the topology loads from: the resolved
  // YAML and every plugin, so later edits of the user's files reach no
  // process of this run.
  auto package = launch::MakePackage(src, loaded->spec, files_read);
  if (!package.ok()) {
    Error("topology '" + name + "' was not submitted: " + package.status().message());
    return kExitFailure;
  }
  const std::string ref = launch::PackageRefName(sm.root(), name);
  auto package_dir = launch::StorePackage(*package, package_store, ref);
  if (!package_dir.ok()) {
    Error("topology '" + name + "' was not submitted: cannot write its package: " +
          package_dir.status().message());
    return kExitFailure;
  }
  auto release_package = [&] { (void)launch::ReleasePackage(*package_dir, ref); };
  // Nothing runs until the submission is recorded; a submission that could
  // not be recorded (a full disk) leaves no topology behind.
  if (Status created = sm.Create(name); !created.ok()) {
    Error("topology '" + name + "' was not submitted: " + created.message());
    release_package();
    return kExitFailure;
  }
  records::Submission submission = src.ToRecord();
  submission.package = package->id;
  submission.package_dir = *package_dir;
  Status s = sm.WriteRecord(name, "submit", submission);
  // The master writes the same packing when it starts; written here too, a
  // run that fails before then still has its logs archived by component.
  if (s.ok()) s = sm.WriteRecord(name, "packing", launch::PackingOf(*loaded->plan));
  // The topology's processes read a private copy of the cluster file: an
  // edit of the user's file does not reach a running topology.
  state::StateOptions child = options;
  const bool slurm = cluster.scheduler == cluster::SchedulerKind::kSlurm;
  // Slurm's jobs run on other hosts: their copy is in the package store.
  const std::string run_dir =
      slurm ? scheduler::SlurmRunDir(package_store, ref) : sm.LocalDir(name);
  if (s.ok() && !options.cluster_file.empty()) {
    child.cluster_file = run_dir + "/cluster.yaml";
    std::error_code ec;
    std::filesystem::create_directories(run_dir, ec);
    std::filesystem::copy_file(options.cluster_file, child.cluster_file,
                               std::filesystem::copy_options::overwrite_existing, ec);
    if (ec) {
      s = IoError("cannot copy the cluster file " + options.cluster_file + " to " +
                  child.cluster_file + ": " + ec.message());
    }
  }
  // Fresh CURVE keys for this run of the topology, readable by its owner
  // only (transport/curve.h).
  if (s.ok() && topology::CurveEnabled(loaded->plan->topology_config())) {
    auto keys = transport::MakeCurveKeys();
    s = keys.ok() ? sm.WriteRecord(name, launch::kKeysRecord, *keys) : keys.status();
  }
  // A fresh bearer token for the master's HTTP actions, kept the same way.
  if (s.ok()) {
    auto token = transport::MakeHttpToken();
    s = token.ok() ? sm.WriteRecord(name, "http_token", *token) : token.status();
  }
  if (!s.ok()) {
    Error("topology '" + name + "' was not submitted: " + s.message());
    (void)sm.RemoveTopology(name);
    release_package();
    return kExitFailure;
  }
  if (slurm) return SubmitToSlurm(sm, child, cluster, name, run_dir, *loaded->plan, timeout_secs);
  SpawnOptions o;
  o.argv = {SelfExe()};
  for (std::string& a : child.ChildArgs()) o.argv.push_back(std::move(a));
  o.argv.push_back("_scheduler");
  o.argv.push_back(name);
  o.log_path = sm.Path(name, "logs/scheduler.log");
  o.new_session = true;
  o.die_with_parent = false;
  auto pid = Spawn(o);
  if (!pid.ok()) {
    Error(pid.status().message());
    (void)RemoveState(sm, name, "submit failed");
    return kExitFailure;
  }
  // Read before the child can be reaped: fork set it, exec keeps it.
  records::SchedulerRecord scheduler{*pid, state::ProcessStartTime(*pid).value_or(0)};
  if (Status recorded = sm.WriteRecord(name, "scheduler", scheduler); !recorded.ok()) {
    // Without its record no command could find the scheduler again.
    Error("topology '" + name + "' was not submitted: " + recorded.message());
    KillSchedulerGroup(*pid);
    WaitDead({*pid}, std::chrono::seconds(10));
    (void)RemoveState(sm, name, "submit failed: state not writable");
    return kExitFailure;
  }

  auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                     std::chrono::duration<double>(timeout_secs));
  while (true) {
    if (FailedToStart(sm, name)) return kExitFailure;
    if (!state::ProcessAlive(*pid)) {
      Error("the scheduler of topology '" + name + "' exited; see " +
            sm.Path(name, "logs/scheduler.log"));
      std::fputs(sm.Read(name, "logs/scheduler.log").value_or("").c_str(), stderr);
      std::string kept = KeptLogs(name, ForceKill(sm, name, "submit failed: scheduler exited"));
      if (!kept.empty()) Error(kept);
      return kExitFailure;
    }
    const metrics::TopologyMetrics snap = TakeSnapshot(sm, name).metrics;
    if (sm.Read(name, "physical").ok() && snap.tasks_total > 0 &&
        snap.tasks_reporting == snap.tasks_total) {
      std::printf("topology '%s' is running: %zu containers, %d tasks (state in %s)\n",
                  name.c_str(), static_cast<std::size_t>(loaded->plan->workers()),
                  snap.tasks_total, StateWhere(sm, name).c_str());
      return kExitOk;
    }
    if (Clock::now() >= deadline) {
      std::string kept = KeptLogs(name, ForceKill(sm, name, "submit timed out"));
      Error("topology '" + name + "' did not start within " + std::to_string(timeout_secs) +
            " s" + (kept.empty() ? "" : "; " + kept));
      return kExitFailure;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

int List(StateManager& sm) {
  auto names = sm.Topologies();
  if (!names.ok()) {
    Error(names.status().message());
    return kExitFailure;
  }
  if (names->empty()) {
    std::printf("no topologies in %s\n", sm.root().c_str());
    return kExitOk;
  }
  std::printf("%-24s %-8s %-8s %s\n", "topology", "state", "active", "scheduler pid");
  for (const auto& name : *names) {
    // A topology placed by Slurm has no scheduler process of its own.
    const bool slurm = scheduler::IsSlurmTopology(sm, name);
    RecordedPid scheduler = PidOf(sm, name, "scheduler");
    auto act = sm.ReadKv(name, "activation");
    std::printf("%-24s %-8s %-8s %s\n", name.c_str(),
                SchedulerAlive(sm, name) ? "running" : "dead",
                (!act.ok() || act->GetOr("active", "1") == "1") ? "yes" : "no",
                slurm ? "slurm" : std::to_string(scheduler.pid).c_str());
  }
  return kExitOk;
}

int SetActive(StateManager& sm, const std::string& name, bool active) {
  if (int code = RequireTopology(sm, name); code != kExitOk) return code;
  if (!SchedulerAlive(sm, name)) {
    Error("topology '" + name + "' is not running (see 'gale list')");
    return kExitFailure;
  }
  auto reply = RequestTmaster(sm, name, active ? "activate" : "deactivate");
  if (!reply.ok()) {
    Error(reply.status().message());
    return kExitFailure;
  }
  if (!reply->ok) {
    Error(reply->message);
    return kExitFailure;
  }
  std::printf("%s\n", reply->message.c_str());
  return kExitOk;
}

int ShowLogs(StateManager& sm, const std::string& name, const LogsOptions& options) {
  const std::string& root = sm.root();
  if (options.list_runs) return ListArchivedRuns(sm, name);
  std::string logs_dir;
  std::optional<std::string> packing;
  std::function<bool()> follow = [] { return false; };
  if (options.run.empty()) {
    auto exists = sm.Exists(name);
    if (!exists.ok()) {
      Error(exists.status().message());
      return kExitFailure;
    }
    if (!*exists) {
      std::string message = NoTopologyMessage(root, name);
      if (std::size_t runs = Archive(sm).Runs(name).size(); runs > 0) {
        message += "; the logs of " + std::to_string(runs) +
                   " earlier run(s) are archived: 'gale logs " + name +
                   " --runs' lists them, 'gale logs " + name + " --run latest' prints the last";
      }
      Error(message);
      return kExitNoTopology;
    }
    logs_dir = sm.Path(name, "logs");
    if (auto text = sm.Read(name, "packing"); text.ok()) packing = *text;
    // Following stops once the topology is gone (or its state unreadable).
    if (options.follow) follow = [&sm, &name] { return sm.Exists(name).value_or(false); };
  } else {
    Result<ArchivedRun> run = Archive(sm).Find(name, options.run);
    if (!run.ok()) {
      if (run.status().code() == ErrorCode::kInvalidArgument) {
        Error(run.status().message());
        return kExitInvalid;
      }
      if (Archive(sm).Runs(name).empty() && !sm.Exists(name).value_or(true)) {
        Error(NoTopologyMessage(root, name));
        return kExitNoTopology;
      }
      Error(run.status().message());
      return kExitFailure;
    }
    logs_dir = run->LogsDir();
    std::ifstream in(run->dir + "/packing");
    std::stringstream text;
    text << in.rdbuf();
    packing = text.str();
  }
  std::vector<std::string> files = MatchingLogs(logs_dir, TaskComponents(packing), options);
  if (files.empty()) {
    Error("no log files match");
    return kExitFailure;
  }
  PrintLogs(files, follow);
  return kExitOk;
}

int Wait(StateManager& sm, const std::string& name, double timeout_secs) {
  if (int code = RequireTopology(sm, name); code != kExitOk) return code;
  if (!SchedulerAlive(sm, name)) {
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

std::unique_ptr<StateManager> OpenState(const state::StateOptions& options, int* exit_code) {
  auto sm = state::OpenStateManager(options);
  if (sm.ok()) return std::move(sm).value();
  Error(sm.status().message());
  *exit_code = sm.status().code() == ErrorCode::kInvalidArgument ? kExitInvalid : kExitFailure;
  return nullptr;
}

int RequireTopology(const StateManager& sm, const std::string& name) {
  auto exists = sm.Exists(name);
  if (!exists.ok()) {
    Error(exists.status().message());
    return kExitFailure;
  }
  if (*exists) return kExitOk;
  Error(NoTopologyMessage(sm.root(), name));
  return kExitNoTopology;
}

// `gale kill` whose processes stopped but whose state is still there: the
// topology would still be listed.
int NotRemoved(const std::string& name, const Status& removed) {
  Error("the processes of '" + name + "' were stopped but its state could not be removed: " +
        removed.message() + "; remove it by hand or run 'gale kill " + name + "' again");
  return kExitFailure;
}

int Kill(StateManager& sm, const std::string& name, double wait_secs, bool force) {
  if (int code = RequireTopology(sm, name); code != kExitOk) return code;
  auto killed = [&name](const std::optional<ArchivedRun>& run) {
    std::printf("topology '%s' killed\n", name.c_str());
    if (run) std::printf("%s\n", KeptLogs(name, run).c_str());
    return kExitOk;
  };
  if (force || !SchedulerAlive(sm, name)) {
    Status removed;
    auto run = ForceKill(sm, name, force ? "killed (--force)" : "killed (was dead)", &removed);
    if (!removed.ok()) return NotRemoved(name, removed);
    return killed(run);
  }
  // Spouts stop, in-flight tuples drain, then every task closes cleanly. A
  // deactivation the master could not record (a full disk) is no reason to
  // keep the topology: it stops without the drain.
  auto deactivated = RequestTmaster(sm, name, "deactivate");
  if (deactivated.ok() && !deactivated->ok) {
    Error("warning: " + deactivated->message + "; stopping '" + name +
          "' without draining its in-flight tuples");
  } else {
    WaitDrained(sm, name, wait_secs, /*require_exhausted=*/false);
  }
  if (scheduler::IsSlurmTopology(sm, name)) {
    // scancel: every process of each job gets SIGTERM and stops cleanly.
    Status cancelled = scheduler::CancelSlurmJobs(sm, scheduler::SlurmClient({}), name, "",
                                                  std::chrono::seconds(40));
    if (!cancelled.ok()) Error("the Slurm jobs of '" + name + "' did not stop in time; killing them");
  }
  std::vector<int> pids = AllPids(sm, name);
  if (int scheduler = SchedulerPid(sm, name); scheduler > 0) ::kill(scheduler, SIGTERM);
  if (!WaitDead(pids, std::chrono::seconds(40))) {
    Error("processes of '" + name + "' did not stop in time; killing them");
  }
  Status removed;
  auto run = ForceKill(sm, name, "killed", &removed);
  if (!removed.ok()) return NotRemoved(name, removed);
  return killed(run);
}

}  // namespace gale::cli
