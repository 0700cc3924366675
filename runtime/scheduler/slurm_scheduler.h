#pragma once

// The `slurm` scheduler (cluster file `scheduler: slurm`): Slurm places the
// topology's processes and gale keeps them placed.
//
// `gale submit` hands Slurm one batch job for the topology master and one
// per container (SubmitSlurmJobs); their ids are the topology's `slurm`
// record. Each job runs `gale _job NAME PROCESS` (RunSlurmJob), which
// publishes alive/job-PROCESS (its node and job id) and supervises the
// process, tmaster or executor, restarting it when it dies as the local
// scheduler would.
//
// Slurm's own requeue of a job whose node died waits about two minutes, so
// the jobs keep each other placed: every job process competes for the
// topology's `slurm-reconciler` lock and its holder checks every few
// seconds that each job's alive entry is there. A job whose entry is gone
// for longer than a grace period (its node lost power or its network: the
// entry vanished when its ZooKeeper session ended) and which Slurm does not
// hold pending is cancelled and submitted again with its last node
// excluded; the replacement finds its peers through the state manager. The
// holder's own loss passes the lock to a job on another node. A job that
// keeps failing is given up after kMaxReplacements in kReplacementWindow,
// which errors/job-PROCESS says.
//
// `gale kill` writes the `killed` record, cancels every job (scancel; its
// processes get SIGTERM, then SIGKILL from Slurm) and waits until Slurm
// holds none (CancelSlurmJobs); each job process that sees `killed` as it
// stops archives the logs of its host and removes the topology's host-local
// directory there.

#include <chrono>
#include <string>
#include <vector>

#include "cluster/cluster_config.h"
#include "common/status.h"
#include "scheduler/slurm_client.h"
#include "state/state_manager.h"

namespace gale::scheduler {

inline constexpr char kSlurmRecord[] = "slurm";
inline constexpr char kKilledRecord[] = "killed";
inline constexpr int kMaxReplacements = 5;
inline constexpr std::chrono::minutes kReplacementWindow{10};

SlurmSettings SlurmSettingsOf(const cluster::ClusterConfig& config);

// The directory in the package store that every node reads for one
// submitted run: the cluster file its processes use (cluster.yaml) and what
// Slurm prints for its jobs. `ref` is the topology's package reference
// (launch::PackageRefName); removed by `gale kill`.
std::string SlurmRunDir(const std::string& package_store, const std::string& ref);

// The processes Slurm runs for a topology of `workers` containers:
// "tmaster", "executor-0", ...
std::vector<std::string> SlurmProcesses(int workers);

// The job of `process`: named gale-TOPOLOGY-PROCESS, running `gale _job`
// with `child`'s state arguments; what it prints before gale's own log
// starts goes to `output_dir`/PROCESS-<job id>.out (a directory every node
// can write, or "" for none).
JobSpec SlurmJobOf(const state::StateOptions& child, const std::string& topology,
                   const std::string& process, const std::string& output_dir);

// Submits the jobs of every process and records their ids. On error the
// jobs submitted so far are cancelled.
Status SubmitSlurmJobs(state::StateManager& sm, const SlurmClient& slurm,
                       const state::StateOptions& child, const std::string& topology,
                       int workers, const std::string& output_dir);

// Whether the topology was placed by Slurm (it has a `slurm` record).
bool IsSlurmTopology(const state::StateManager& sm, const std::string& topology);

// Whether any job of the topology still runs or waits in Slurm: a live job
// entry, else squeue.
bool SlurmJobsAlive(const state::StateManager& sm, const SlurmClient& slurm,
                    const std::string& topology);

// Records `killed`, cancels every job of the topology (with `signal`, e.g.
// "KILL", when not empty) and waits up to `wait` until Slurm holds none.
// kUnavailable when some are still there then.
Status CancelSlurmJobs(state::StateManager& sm, const SlurmClient& slurm,
                       const std::string& topology, const std::string& signal,
                       std::chrono::milliseconds wait);

struct SlurmJobOptions {
  state::StateOptions state;
  cluster::ClusterConfig cluster;
  std::string topology;
  std::string process;  // "tmaster" or "executor-<container>"
  std::string host;     // this host's advertised address, for status
};

// The `_job` role: one Slurm job's process (see above).
Status RunSlurmJob(const SlurmJobOptions& options);

}  // namespace gale::scheduler
