#include "scheduler/slurm_scheduler.h"

#include <signal.h>
#include <unistd.h>

#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "common/log.h"
#include "common/log_rotation.h"
#include "common/parse.h"
#include "common/process.h"
#include "common/stop_signal.h"
#include "executor/executor.h"
#include "executor/supervisor.h"
#include "launch/package.h"
#include "launch/role_log.h"
#include "launch/topology_source.h"
#include "state/log_archive.h"

namespace gale::scheduler {
namespace {

using JobClock = std::chrono::steady_clock;

const std::atomic<bool>* g_job_stop = nullptr;  // set by InstallStopSignalHandlers

// How often the reconciler's holder looks at the jobs.
constexpr std::chrono::seconds kCheckEvery{2};
// How long a job's entry may be missing before the job is replaced: once
// its entry was seen (it vanished at the end of a ZooKeeper session, which
// already waited the session timeout), and since a new job started running.
constexpr std::chrono::seconds kLostGrace{3};
constexpr std::chrono::seconds kStartGrace{20};

std::string JobEntry(const std::string& process) { return "job-" + process; }

std::string JobName(const std::string& topology, const std::string& process) {
  return "gale-" + topology + "-" + process;
}

// A sleep that Stop() ends at once.
class Sleeper {
 public:
  void SleepFor(std::chrono::milliseconds d) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, d, [this] { return stopped_; });
  }
  void Stop() {
    std::lock_guard<std::mutex> lock(mu_);
    stopped_ = true;
    cv_.notify_all();
  }
  bool stopped() {
    std::lock_guard<std::mutex> lock(mu_);
    return stopped_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
};

// Keeps every job of the topology placed while this process holds the
// topology's reconciler lock (see slurm_scheduler.h).
class Reconciler {
 public:
  Reconciler(state::StateManager& sm, SlurmClient slurm, state::StateOptions child,
             std::string topology, std::string output_dir)
      : sm_(sm),
        slurm_(std::move(slurm)),
        child_(std::move(child)),
        topology_(std::move(topology)),
        output_dir_(std::move(output_dir)),
        log_(Logger("reconciler")) {}

  void Run(Sleeper& sleeper) {
    while (!sleeper.stopped()) {
      auto lock = sm_.LockWithin(topology_, "slurm-reconciler", std::chrono::seconds(5));
      if (!lock.ok()) {
        sleeper.SleepFor(kCheckEvery);
        continue;
      }
      log_->info("this job keeps the topology's Slurm jobs placed");
      watched_.clear();
      while (!sleeper.stopped() && (*lock)->Held()) {
        CheckOnce();
        sleeper.SleepFor(kCheckEvery);
      }
    }
  }

 private:
  struct Watched {
    std::string id;
    JobClock::time_point missing_since;
    bool seen = false;
    std::string node;
  };

  // Why the job `w` (as squeue shows it, nullptr when Slurm holds it no
  // more), whose entry has been missing for kLostGrace, counts as lost; ""
  // while it does not.
  static std::string LostBecause(const Watched& w, const JobInfo* job, JobClock::time_point now) {
    if (job == nullptr) return "ended";
    if (job->state == "PENDING") {
      // Requeued by Slurm after its node failed: held for minutes.
      if (job->reason == "BeginTime") return "was requeued by Slurm and held";
      return "";  // waiting for resources
    }
    if (job->state == "CONFIGURING") return "";
    if (w.seen) {
      return "has had no live process for " +
             std::to_string(
                 std::chrono::duration_cast<std::chrono::seconds>(now - w.missing_since).count()) +
             " s";
    }
    if (job->run_secs >= kStartGrace.count()) {
      return "has run " + std::to_string(job->run_secs) + " s without its process publishing";
    }
    return "";
  }

  void CheckOnce() {
    if (sm_.Read(topology_, kKilledRecord).ok()) return;
    auto jobs = sm_.ReadRecord<records::SlurmJobs>(topology_, kSlurmRecord);
    if (!jobs.ok()) return;
    const auto now = JobClock::now();
    bool changed = false;
    for (records::SlurmJob& j : jobs->jobs) {
      if (given_up_.count(j.process) != 0) continue;
      auto where = sm_.ReadAliveRecord<records::JobLocation>(topology_, JobEntry(j.process));
      if (!where.ok() && where.status().code() == ErrorCode::kUnavailable) {
        // The state manager is down: no entry can be judged, and the grace
        // starts again once it is back (its processes re-publish then).
        for (auto& [process, w] : watched_) w.missing_since = now;
        return;
      }
      Watched& w = watched_[j.process];
      if (w.id != j.id) w = Watched{j.id, now, false, ""};
      if (where.ok() && where->job == j.id) {
        w.seen = true;
        w.node = where->node;
        w.missing_since = now;
        continue;
      }
      if (now - w.missing_since < kLostGrace) continue;
      auto queued = slurm_.Query({j.id});
      if (!queued.ok()) {
        log_->warn("cannot check job {} of {}: {}", j.id, j.process, queued.status().message());
        return;
      }
      auto it = queued->find(j.id);
      std::string lost = LostBecause(w, it == queued->end() ? nullptr : &it->second, now);
      if (lost.empty()) continue;
      // A job Slurm still shows on a node without its entry: that node is
      // lost and Slurm does not know yet. Place the new job elsewhere.
      std::vector<std::string> exclude;
      if (it != queued->end() && it->second.state != "PENDING") {
        std::string node = !w.node.empty() ? w.node : it->second.node;
        if (!node.empty()) exclude.push_back(node);
      } else if (!w.node.empty()) {
        exclude.push_back(w.node);
      }
      std::deque<JobClock::time_point>& times = replaced_[j.process];
      while (!times.empty() && now - times.front() > kReplacementWindow) times.pop_front();
      if (static_cast<int>(times.size()) >= kMaxReplacements) {
        std::string why = "its Slurm job was replaced " + std::to_string(times.size()) +
                          " times within " + std::to_string(kReplacementWindow.count()) +
                          " minutes and is given up; see its log and the Slurm output in " +
                          output_dir_;
        log_->error("{}: {}", j.process, why);
        (void)sm_.WriteRecord(topology_, "errors/" + JobEntry(j.process), records::TaskError{why});
        given_up_.insert(j.process);
        continue;
      }
      (void)slurm_.Cancel({j.id});
      JobSpec spec = SlurmJobOf(child_, topology_, j.process, output_dir_);
      spec.exclude = exclude;
      auto id = slurm_.Submit(spec);
      if (!id.ok()) {
        log_->error("cannot replace job {} of {}: {}", j.id, j.process, id.status().message());
        continue;
      }
      log_->warn("job {} of {} {}; replaced by job {}{}", j.id, j.process, lost, *id,
                 exclude.empty() ? "" : " excluding node " + exclude.front());
      times.push_back(now);
      j.id = *id;
      w = Watched{*id, now, false, ""};
      changed = true;
    }
    if (changed) {
      if (Status s = sm_.WriteRecord(topology_, kSlurmRecord, *jobs); !s.ok()) {
        log_->error("the replaced jobs could not be recorded: {}", s.message());
      }
    }
  }

  state::StateManager& sm_;
  SlurmClient slurm_;
  state::StateOptions child_;
  std::string topology_;
  std::string output_dir_;
  std::shared_ptr<spdlog::logger> log_;
  std::map<std::string, Watched> watched_;
  std::map<std::string, std::deque<JobClock::time_point>> replaced_;
  std::set<std::string> given_up_;
};

}  // namespace

std::string SlurmRunDir(const std::string& package_store, const std::string& ref) {
  return package_store + "/runs/" + ref;
}

SlurmSettings SlurmSettingsOf(const cluster::ClusterConfig& config) {
  SlurmSettings s;
  s.partition = config.slurm_partition;
  s.args = config.slurm_args;
  return s;
}

std::vector<std::string> SlurmProcesses(int workers) {
  std::vector<std::string> p = {"tmaster"};
  for (int c = 0; c < workers; ++c) p.push_back("executor-" + std::to_string(c));
  return p;
}

JobSpec SlurmJobOf(const state::StateOptions& child, const std::string& topology,
                   const std::string& process, const std::string& output_dir) {
  JobSpec job;
  job.name = JobName(topology, process);
  job.command = {SelfExe()};
  for (std::string& a : child.ChildArgs()) job.command.push_back(std::move(a));
  job.command.push_back("_job");
  job.command.push_back(topology);
  job.command.push_back(process);
  if (!output_dir.empty()) job.output = output_dir + "/" + process + "-%j.out";
  return job;
}

Status SubmitSlurmJobs(state::StateManager& sm, const SlurmClient& slurm,
                       const state::StateOptions& child, const std::string& topology,
                       int workers, const std::string& output_dir) {
  if (!output_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(output_dir, ec);
    if (ec) {
      return IoError("cannot create " + output_dir + " for the Slurm output of '" + topology +
                     "': " + ec.message() + "; package.store must be writable");
    }
  }
  records::SlurmJobs jobs;
  auto undo = [&] {
    std::vector<std::string> ids;
    for (const records::SlurmJob& j : jobs.jobs) ids.push_back(j.id);
    (void)slurm.Cancel(ids);
  };
  for (const std::string& process : SlurmProcesses(workers)) {
    auto id = slurm.Submit(SlurmJobOf(child, topology, process, output_dir));
    if (!id.ok()) {
      undo();
      return id.status();
    }
    jobs.jobs.push_back({process, *id});
    // Recorded as it goes: a kill finds every job submitted so far.
    if (Status s = sm.WriteRecord(topology, kSlurmRecord, jobs); !s.ok()) {
      undo();
      return s;
    }
  }
  return Status::Ok();
}

bool IsSlurmTopology(const state::StateManager& sm, const std::string& topology) {
  return sm.Read(topology, kSlurmRecord).ok();
}

bool SlurmJobsAlive(const state::StateManager& sm, const SlurmClient& slurm,
                    const std::string& topology) {
  auto jobs = sm.ReadRecord<records::SlurmJobs>(topology, kSlurmRecord);
  if (!jobs.ok()) return false;
  std::vector<std::string> ids;
  for (const records::SlurmJob& j : jobs->jobs) {
    if (sm.ReadAlive(topology, JobEntry(j.process)).ok()) return true;
    ids.push_back(j.id);
  }
  auto queued = slurm.Query(ids);
  return queued.ok() && !queued->empty();
}

Status CancelSlurmJobs(state::StateManager& sm, const SlurmClient& slurm,
                       const std::string& topology, const std::string& signal,
                       std::chrono::milliseconds wait) {
  auto jobs = sm.ReadRecord<records::SlurmJobs>(topology, kSlurmRecord);
  if (!jobs.ok()) return jobs.status().code() == ErrorCode::kNotFound ? Status::Ok() : jobs.status();
  // Jobs see it as they stop: they clean up their host.
  (void)sm.WriteRecord(topology, kKilledRecord, records::TaskError{"killed"});
  std::vector<std::string> ids;
  for (const records::SlurmJob& j : jobs->jobs) ids.push_back(j.id);
  GALE_RETURN_IF_ERROR(slurm.Cancel(ids, signal));
  const auto deadline = JobClock::now() + wait;
  while (true) {
    auto queued = slurm.Query(ids);
    if (queued.ok() && queued->empty()) return Status::Ok();
    if (JobClock::now() >= deadline) {
      return Unavailable(queued.ok() ? std::to_string(queued->size()) + " Slurm job(s) of '" +
                                           topology + "' still there after scancel"
                                     : queued.status().message());
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
}

Status RunSlurmJob(const SlurmJobOptions& options) {
  g_job_stop = &InstallStopSignalHandlers();
  ::signal(SIGHUP, SIG_IGN);
  auto log = Logger("job");
  const char* job_id = std::getenv("SLURM_JOB_ID");
  if (job_id == nullptr || *job_id == '\0') {
    return InvalidArgument("'_job' runs inside a Slurm job, and SLURM_JOB_ID is not set");
  }
  const char* node_env = std::getenv("SLURMD_NODENAME");
  const std::string node = node_env != nullptr && *node_env != '\0' ? node_env : HostName();
  auto sm_owner = state::OpenStateManager(options.state);
  if (!sm_owner.ok()) return sm_owner.status();
  state::StateManager& sm = **sm_owner;
  auto loaded = launch::LoadSubmittedTopology(sm, options.topology);
  if (!loaded.ok()) return loaded.status();
  const auto& plan = *loaded->plan;

  executor::ChildSpec child;
  child.name = options.process;
  if (options.process == "tmaster") {
    child.argv = executor::RoleArgv(options.state, "tmaster", options.topology);
  } else if (options.process.rfind("executor-", 0) == 0) {
    std::string c = options.process.substr(9);
    auto container = ParseInt(c, 0, plan.workers() - 1, "container");
    if (!container.ok()) {
      return InvalidArgument("'_job " + options.topology + " " + options.process +
                             "': no such container (the topology has " +
                             std::to_string(plan.workers()) + ")");
    }
    child.argv = executor::RoleArgv(options.state, "executor", options.topology);
    child.argv.push_back(c);
  } else {
    return InvalidArgument("'_job' runs 'tmaster' or 'executor-<container>', not '" +
                           options.process + "'");
  }
  child.log_path = launch::RoleLogPath(sm, options.topology, options.process);

  records::JobLocation where{static_cast<std::int32_t>(::getpid()), job_id, node, options.host};
  auto alive = sm.PublishAlive(options.topology, JobEntry(options.process), records::Encode(where));
  if (!alive.ok()) return alive.status();

  executor::Supervisor supervisor(&sm, options.topology, JobEntry(options.process),
                                  executor::RestartPolicyOf(plan));
  supervisor.Add(child);
  log->info("Slurm job {} on node {} (pid {}) runs {} of topology '{}'", job_id, node, getpid(),
            options.process, options.topology);

  auto submission = sm.ReadRecord<records::Submission>(options.topology, "submit");
  std::string output_dir =
      submission.ok()
          ? SlurmRunDir(std::filesystem::path(submission->package_dir).parent_path().string(),
                        launch::PackageRefName(sm.root(), options.topology))
          : "";
  Reconciler reconciler(sm, SlurmClient(SlurmSettingsOf(options.cluster)), options.state,
                        options.topology, output_dir);
  Sleeper sleeper;
  std::thread reconciling([&] { reconciler.Run(sleeper); });

  LogRotation rotation(
      launch::RoleLogRotation(sm, options.topology, JobEntry(options.process), plan));
  while (!g_job_stop->load()) {
    supervisor.Poll();
    rotation.MaybeRotate();
    supervisor.Wait(executor::Supervisor::kMaxWait);
  }
  log->info("stopping {} of topology '{}'", options.process, options.topology);
  sleeper.Stop();
  reconciling.join();
  supervisor.Stop(std::chrono::seconds(20));
  if (sm.Read(options.topology, kKilledRecord).ok()) {
    // The topology was killed: nothing of it stays on this host but the
    // archived logs.
    alive->reset();
    state::LogArchive archive(sm.local_root(), state::LogArchive::KeepRunsFromEnv());
    (void)archive.Archive(options.topology, sm.LocalDir(options.topology), "killed");
    std::error_code ec;
    std::filesystem::remove_all(sm.LocalDir(options.topology), ec);
  }
  return Status::Ok();
}

}  // namespace gale::scheduler
