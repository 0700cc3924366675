#pragma once

// Starts a fixed set of child processes and keeps them running: a child that
// exits is started again after a back-off (100 ms doubling to 5 s, reset
// after it has run for 30 s), unless it failed RestartPolicy::max_failures
// times within the window: then it is given up, which its pids/ record says. Stop() sends SIGTERM to every child, waits for
// them (SIGKILL after a deadline) and returns. Used by the container
// executor (stream manager + instances) and the local scheduler (topology
// master + executors). Single-threaded: call Poll() and Wait() from one
// loop, on the thread that created the supervisor.

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "common/process.h"
#include "state/record_writer.h"
#include "state/state_manager.h"

namespace gale::executor {

struct ChildSpec {
  std::string name;            // "stmgr-0", "task-3", "tmaster", "executor-1"
  std::vector<std::string> argv;
  std::string log_path;
  int stop_order = 0;          // lower stops first
};

// When a supervisor stops restarting a child: after `max_failures` exits
// within `window` (0: never give up, restart forever).
struct RestartPolicy {
  int max_failures = 10;
  std::chrono::seconds window{300};
};

class Supervisor {
 public:
  Supervisor(state::StateManager* sm, std::string topology, std::string owner,
             RestartPolicy policy = {});

  void Add(ChildSpec spec);
  // Starts children that are due, reaps exited ones, and writes again the
  // pids/ records that could not be written (a full disk).
  void Poll();
  // Sleeps until a child exits, a restart is due, a signal handler ran (a
  // stop request) or `max` passed, whichever comes first; then call Poll().
  // Not a polling interval: an idle supervisor wakes once per `max`.
  void Wait(std::chrono::milliseconds max);
  // What the run loops pass to Wait: a stop signal that arrives just before
  // Wait starts is seen within this.
  static constexpr std::chrono::milliseconds kMaxWait{200};
  // SIGTERM in stop_order groups, then SIGKILL after `grace`.
  void Stop(std::chrono::milliseconds grace);
  // Restarts so far, per child name.
  int restarts(const std::string& name) const;

 private:
  using Clock = std::chrono::steady_clock;
  struct Child {
    ChildSpec spec;
    pid_t pid = 0;
    std::uint64_t start = 0;  // the pid's state::ProcessStartTime
    int restarts = 0;
    std::chrono::milliseconds backoff{100};
    Clock::time_point started;
    Clock::time_point next_start;
    std::vector<Clock::time_point> failures;  // exits within the policy's window
    bool given_up = false;
  };
  void Record(const Child& c, const std::string& given_up = "");
  void StartChild(Child& c);

  state::StateManager* sm_;
  state::RecordWriter writer_;
  std::string topology_;
  std::string owner_;
  RestartPolicy policy_;
  std::string host_ = HostName();  // recorded with each child: they run here
  std::vector<Child> children_;
};

}  // namespace gale::executor
