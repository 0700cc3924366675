#include "scheduler/slurm_client.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <sstream>

namespace gale::scheduler {
namespace {

using Clock = std::chrono::steady_clock;

std::string Joined(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : sep) + s;
  return out;
}

// The last non-empty line of what a command said, for messages.
std::string Said(const ToolOutput& o) {
  std::string text = o.err.empty() ? o.out : o.err;
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.size() > 400) text = "..." + text.substr(text.size() - 400);
  return text.empty() ? "(no message)" : text;
}

}  // namespace

Result<ToolOutput> RunTool(const std::vector<std::string>& argv, std::chrono::milliseconds limit) {
  if (argv.empty()) return InvalidArgument("no command");
  int out[2], err[2], exec_error[2];
  if (::pipe2(out, O_CLOEXEC) != 0) return IoError(std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err, O_CLOEXEC) != 0) {
    ::close(out[0]);
    ::close(out[1]);
    return IoError(std::string("pipe: ") + std::strerror(errno));
  }
  if (::pipe2(exec_error, O_CLOEXEC) != 0) {
    for (int fd : {out[0], out[1], err[0], err[1]}) ::close(fd);
    return IoError(std::string("pipe: ") + std::strerror(errno));
  }
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid < 0) {
    for (int fd : {out[0], out[1], err[0], err[1], exec_error[0], exec_error[1]}) ::close(fd);
    return IoError(std::string("fork: ") + std::strerror(errno));
  }
  if (pid == 0) {
    int null = ::open("/dev/null", O_RDONLY);
    if (null >= 0) ::dup2(null, 0);
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    ::execvp(args[0], args.data());
    int e = errno;
    (void)!::write(exec_error[1], &e, sizeof e);
    ::_exit(127);
  }
  for (int fd : {out[1], err[1], exec_error[1]}) ::close(fd);
  int exec_errno = 0;
  bool exec_failed = ::read(exec_error[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno;
  ::close(exec_error[0]);
  ToolOutput result;
  const auto deadline = Clock::now() + limit;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open_fds = 2;
  bool timed_out = false;
  while (open_fds > 0) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    int n = ::poll(fds, 2, static_cast<int>(left.count()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      ssize_t got = ::read(fds[i].fd, buf, sizeof buf);
      if (got > 0) {
        if (sinks[i]->size() < (1u << 20)) sinks[i]->append(buf, static_cast<std::size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (const pollfd& p : fds) {
    if (p.fd >= 0) ::close(p.fd);
  }
  if (timed_out) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (exec_failed) {
    if (exec_errno == ENOENT) {
      return NotFound("'" + argv[0] + "' was not found in PATH");
    }
    return IoError("cannot run '" + argv[0] + "': " + std::strerror(exec_errno));
  }
  if (timed_out) {
    return Unavailable("'" + Joined(argv, " ") + "' did not finish within " +
                       std::to_string(limit.count() / 1000) + " s");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

std::int64_t ParseSlurmDuration(const std::string& text) {
  std::int64_t days = 0;
  std::string rest = text;
  if (auto dash = rest.find('-'); dash != std::string::npos) {
    try {
      days = std::stoll(rest.substr(0, dash));
    } catch (...) {
      return 0;
    }
    rest = rest.substr(dash + 1);
  }
  std::int64_t total = 0;
  std::istringstream parts(rest);
  std::string part;
  int n = 0;
  while (std::getline(parts, part, ':')) {
    if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos) return 0;
    total = total * 60 + std::stoll(part);
    ++n;
  }
  if (n < 2 || n > 3) return 0;
  return days * 86400 + total;
}

std::string SlurmClient::WrapCommand(const std::vector<std::string>& command) {
  std::string script = "exec";
  for (const std::string& a : command) {
    script += " '";
    for (char c : a) script += c == '\'' ? std::string("'\\''") : std::string(1, c);
    script += "'";
  }
  return script;
}

namespace {

// A Slurm command that could not run: why, and what to do.
Status ToolFailure(const std::string& tool, const Status& s) {
  if (s.code() == ErrorCode::kNotFound) {
    return Status(ErrorCode::kFailedPrecondition, 
        "the Slurm scheduler needs Slurm's client commands, but " + s.message() +
        "; install them on this host (Debian: apt-get install slurm-client) or add their "
        "directory to PATH");
  }
  if (s.code() == ErrorCode::kUnavailable) {
    return Unavailable(s.message() + "; is slurmctld running and SLURM_CONF right? ('" + tool +
                       "' hangs while the controller is unreachable)");
  }
  return s;
}

}  // namespace

Result<std::string> SlurmClient::Submit(const JobSpec& job) const {
  std::vector<std::string> argv = {"sbatch", "--parsable", "--job-name=" + job.name,
                                   "--output=" + (job.output.empty() ? "/dev/null" : job.output),
                                   "--nodes=1", "--ntasks=1"};
  if (!settings_.partition.empty()) argv.push_back("--partition=" + settings_.partition);
  if (!job.exclude.empty()) argv.push_back("--exclude=" + Joined(job.exclude, ","));
  for (const std::string& a : settings_.args) argv.push_back(a);
  argv.push_back("--wrap=" + WrapCommand(job.command));
  auto r = RunTool(argv, settings_.limit);
  if (!r.ok()) return ToolFailure("sbatch", r.status());
  if (r->exit_code != 0) {
    return Status(ErrorCode::kFailedPrecondition, "sbatch refused job '" + job.name + "' (exit " +
                              std::to_string(r->exit_code) + "): " + Said(*r));
  }
  // --parsable prints "<id>" or "<id>;<cluster>".
  std::string id = r->out.substr(0, r->out.find_first_of(";\n"));
  if (id.empty() || id.find_first_not_of("0123456789_") != std::string::npos) {
    return ProtocolError("sbatch printed no job id for '" + job.name + "': " + Said(*r));
  }
  return id;
}

Status SlurmClient::Cancel(const std::vector<std::string>& ids, const std::string& signal) const {
  if (ids.empty()) return Status::Ok();
  std::vector<std::string> argv = {"scancel"};
  if (!signal.empty()) argv.push_back("--signal=" + signal);
  for (const std::string& id : ids) argv.push_back(id);
  auto r = RunTool(argv, settings_.limit);
  if (!r.ok()) return ToolFailure("scancel", r.status());
  // scancel exits non-zero for a job id that already ended ("Invalid job
  // id specified"): that job is cancelled as far as anyone can tell.
  if (r->exit_code != 0 && r->err.find("Invalid job id") == std::string::npos &&
      r->err.find("already completing or completed") == std::string::npos) {
    return Status(ErrorCode::kFailedPrecondition, "scancel " + Joined(ids, " ") + " failed (exit " +
                              std::to_string(r->exit_code) + "): " + Said(*r));
  }
  return Status::Ok();
}

Result<std::map<std::string, JobInfo>> SlurmClient::Query(const std::vector<std::string>& ids) const {
  std::map<std::string, JobInfo> jobs;
  if (ids.empty()) return jobs;
  // The node list is empty while a job waits: it goes last.
  std::vector<std::string> argv = {"squeue", "--noheader", "--format=%i %T %M %r %N",
                                   "--jobs=" + Joined(ids, ",")};
  auto r = RunTool(argv, settings_.limit);
  if (!r.ok()) return ToolFailure("squeue", r.status());
  if (r->exit_code != 0) {
    // Every id unknown to the controller (all ended long ago).
    if (r->err.find("Invalid job id") != std::string::npos) return jobs;
    return Status(ErrorCode::kFailedPrecondition, "squeue failed (exit " + std::to_string(r->exit_code) +
                              "): " + Said(*r));
  }
  std::istringstream lines(r->out);
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream fields(line);
    std::string id;
    JobInfo info;
    std::string elapsed;
    if (!(fields >> id >> info.state >> elapsed >> info.reason)) continue;
    info.run_secs = ParseSlurmDuration(elapsed);
    fields >> info.node;
    jobs[id] = info;
  }
  return jobs;
}

}  // namespace gale::scheduler
