#pragma once

// Slurm's client commands (sbatch, squeue, scancel) as gale's Slurm
// scheduler uses them: each call runs the command with a deadline (against a
// controller that is down they hang for many seconds), captures what it
// printed and turns a missing command, a refusal or a timeout into a Status
// that says which command, what it said and what to do.

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"

namespace gale::scheduler {

// What a finished command printed.
struct ToolOutput {
  int exit_code = 0;
  std::string out;
  std::string err;
};

// Runs argv (argv[0] looked up in PATH) with stdin from /dev/null and waits
// at most `limit`; a command still running then is killed. kNotFound when
// the program does not exist, kUnavailable on timeout; a non-zero exit is
// returned as output, not as an error.
Result<ToolOutput> RunTool(const std::vector<std::string>& argv, std::chrono::milliseconds limit);

// One batch job as gale submits it: a name, the command it runs and where
// Slurm writes what the command prints before gale's own log takes over.
struct JobSpec {
  std::string name;                  // --job-name
  std::vector<std::string> command;  // run with exec from the batch script
  std::string output;                // --output ("" = /dev/null)
  std::vector<std::string> exclude;  // nodes not to run on (--exclude)
};

// A job as squeue shows it.
struct JobInfo {
  std::string state;   // PENDING, RUNNING, COMPLETING, ...
  std::string node;    // where it runs ("" while pending)
  std::string reason;  // why it waits (squeue %r): Resources, BeginTime, ...
  std::int64_t run_secs = 0;  // time it has run (squeue %M)
};

// Seconds of squeue's %M ("M:SS", "H:MM:SS", "D-HH:MM:SS"); 0 when it
// does not parse.
std::int64_t ParseSlurmDuration(const std::string& text);

struct SlurmSettings {
  std::string partition;          // slurm.partition ("" = the default partition)
  std::vector<std::string> args;  // slurm.args, given to sbatch
  std::chrono::milliseconds limit{30000};  // per command
};

class SlurmClient {
 public:
  explicit SlurmClient(SlurmSettings settings) : settings_(std::move(settings)) {}

  // sbatch; the job id.
  Result<std::string> Submit(const JobSpec& job) const;
  // scancel of `ids` (with `signal`, e.g. "KILL", when not empty). A job
  // that already ended is no error.
  Status Cancel(const std::vector<std::string>& ids, const std::string& signal = "") const;
  // squeue of `ids`: the jobs Slurm still knows as queued, running or
  // completing; a job that ended is absent.
  Result<std::map<std::string, JobInfo>> Query(const std::vector<std::string>& ids) const;

  // The shell command sbatch --wrap runs for `command`: an exec of it, each
  // argument quoted for the shell.
  static std::string WrapCommand(const std::vector<std::string>& command);

 private:
  SlurmSettings settings_;
};

}  // namespace gale::scheduler
